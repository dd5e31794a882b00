import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, ApiError, type EnvironmentDetail } from '../api';
import { fieldsForInputs, missingRequired } from '../model/schemaForm';
import { parseWorkflow } from '../model/workflow';
import { ErrorBox, Loading, messageOf, useLoad } from './common';
import { href } from './router';
import { SchemaForm } from './SchemaForm';
import { useSession } from './session';

export function StartRunPage({ id }: { id: string }) {
  const session = useSession();
  const [def, error] = useLoad(() => api.definition(id), [id]);
  const [environments, envError] = useLoad(() => api.environments(), []);
  const [envId, setEnvId] = useState('');
  const [env, setEnv] = useState<EnvironmentDetail | null>(null);
  const [values, setValues] = useState<Record<string, unknown>>({});
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const fields = useMemo(() => fieldsForInputs(def ? parseWorkflow(def.text).model?.inputs ?? {} : {}), [def]);

  useEffect(() => { if (!envId && environments?.length) setEnvId(environments.some(e => e.id === 'sandbox') ? 'sandbox' : environments[0].id); }, [environments, envId]);
  useEffect(() => { if (envId) api.environment(envId).then(setEnv, () => setEnv(null)); }, [envId]);

  if (error || envError) return <ErrorBox>{error ?? envError}</ErrorBox>;
  if (!def || !environments) return <Loading what="the run form" />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const missing = missingRequired(fields, values);
    if (missing.length) { setProblem(`Fill in ${missing.join(', ')}: ${missing.length > 1 ? 'they are' : 'it is'} required.`); return; }
    setBusy(true);
    try {
      const run = await api.startRun(id, envId, Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)));
      location.hash = href.run(run.id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) session.forbidden('operate');
      setProblem(messageOf(err));
    } finally { setBusy(false); }
  };

  return (
    <section className="start-run">
      <h1>Run <a href={href.editor(id)}>{id}</a> <span className="muted">v{def.version} · {def.state}</span></h1>
      {!session.canOperate && <ErrorBox>Your token may not start runs.</ErrorBox>}
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="run-env">Environment <span className="required">*</span></label>
          <select id="run-env" value={envId} onChange={e => setEnvId(e.target.value)} required>
            {environments.map(e => <option key={e.id} value={e.id}>{e.name ? `${e.id} — ${e.name}` : e.id}</option>)}
          </select>
        </div>
        <h2>Inputs</h2>
        <SchemaForm idPrefix="input" fields={fields} values={values} env={env} onChange={(name, v) => setValues(s => ({ ...s, [name]: v }))} />
        {problem && <ErrorBox>{problem}</ErrorBox>}
        <button type="submit" className="primary" disabled={busy || !session.canOperate}>{busy ? 'Starting…' : 'Start run'}</button>
      </form>
    </section>
  );
}
