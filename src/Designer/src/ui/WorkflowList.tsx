import { useMemo, useState } from 'react';
import { api, type Run } from '../api';
import { Empty, ErrorBox, Loading, StatusBadge, useLoad, when } from './common';
import { NewWorkflowForm } from './NewWorkflowForm';
import { RecentRuns } from './RecentRuns';
import { href } from './router';
import { useSession } from './session';

export function WorkflowList() {
  const { canOperate, canEdit } = useSession();
  const [query, setQuery] = useState('');
  const [definitions, error, reload] = useLoad(() => api.definitions(), []);
  const [runs] = useLoad(() => api.runs({ limit: 200 }), []);

  const lastRun = useMemo(() => {
    const map = new Map<string, Run>();
    for (const r of runs ?? []) {
      const seen = map.get(r.workflowId);
      if (!seen || (r.createdAt ?? '') > (seen.createdAt ?? '')) map.set(r.workflowId, r);
    }
    return map;
  }, [runs]);

  const shown = (definitions ?? []).filter(d => d.id.toLowerCase().includes(query.trim().toLowerCase()));

  return (
    <section className="list">
      <div className="list-head">
        <h1>Workflows</h1>
        <label className="search">
          <span className="visually-hidden">Search workflows</span>
          <input type="search" placeholder="Search workflows" value={query} onChange={e => setQuery(e.target.value)} />
        </label>
        {canEdit && definitions && <NewWorkflowForm taken={definitions.map(d => d.id)} />}
      </div>
      {error && <ErrorBox>Could not load workflows: {error} <button type="button" onClick={reload}>Retry</button></ErrorBox>}
      {!definitions && !error && <Loading what="workflows" />}
      {definitions && definitions.length === 0 && <Empty>No workflows yet. {canEdit ? 'Start one with New workflow, or put' : 'Put'} one under <code>workflows/</code> and restart the server.</Empty>}
      {definitions && definitions.length > 0 && shown.length === 0 && <Empty>No workflow matches “{query}”.</Empty>}
      {shown.length > 0 && (
        <table>
          <thead><tr><th scope="col">Workflow</th><th scope="col">Latest</th><th scope="col">State</th><th scope="col">Last run</th><th scope="col">Updated</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {shown.map(d => {
              const run = lastRun.get(d.id);
              const published = d.publishedVersion === d.latestVersion;
              return (
                <tr key={d.id}>
                  <th scope="row"><a href={href.editor(d.id)}>{d.id}</a></th>
                  <td>v{d.latestVersion}</td>
                  <td>{published ? <span className="badge published">published</span> : <span className="badge draft">draft</span>}{d.publishedVersion && !published ? <span className="muted"> (v{d.publishedVersion} published)</span> : null}</td>
                  <td>{run ? <a href={href.run(run.id)}><StatusBadge status={run.status} /> <span className="muted">{run.environmentId}</span></a> : <span className="muted">never run</span>}</td>
                  <td>{when(d.updatedAt)}</td>
                  <td className="actions">{canOperate && <a className="button" href={href.start(d.id)}>Run…</a>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <RecentRuns />
    </section>
  );
}
