// The editor: activity catalogue | graph | properties + YAML. The YAML text is the one source of
// truth: graph and form edits rewrite it, and the graph is rebuilt from it.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, type Activity, type DefinitionVersion, type EnvironmentDetail, type ValidationError, type VersionSummary } from '../api';
import { dropStep, type DropPlace } from '../model/drop';
import { addStep } from '../model/edits';
import { buildGraph, onFailureNodeId, type WorkflowGraph } from '../model/graph';
import { stepForFieldPath, type Keys } from '../model/paths';
import { allSteps, parseWorkflow, stepLabel, type WorkflowModel } from '../model/workflow';
import { ActivityPalette, type PaletteItem } from './ActivityPalette';
import { ErrorBox, Loading, messageOf, useLoad, when } from './common';
import { GraphView, type NodeDecoration } from './GraphView';
import { mayLeaveFor, useLeaveWarning } from './leaveGuard';
import { PropertiesPanel } from './PropertiesPanel';
import { href } from './router';
import { useSession } from './session';
import { YamlEditor, type LineProblem } from './YamlEditor';

/** How long the graph waits after the last keystroke in the YAML before it is rebuilt and laid out again. */
const relayoutDelayMs = 250;

export function EditorPage({ id, version, fresh }: { id: string; version?: number; fresh?: boolean }) {
  const session = useSession();
  // GET /definitions/{id} answers the published version; the editor opens the newest draft.
  // A fresh workflow is an empty, unsaved draft: saving it creates version 1.
  const [def, loadError] = useLoad(async () => (fresh ? emptyDraft(id) : api.definition(id, version ?? (await api.versions(id).catch(() => [])).at(-1)?.version)), [id, version, fresh]);
  const [activities] = useLoad(() => api.activities(), []);
  const [environments] = useLoad(() => api.environments(), []);
  if (loadError) return <ErrorBox>Could not open workflow “{id}”: {loadError} <a href={href.list()}>Back to the list</a></ErrorBox>;
  if (!def) return <Loading what={`workflow ${id}`} />;
  return <Editor key={def.version} initial={def} activities={activities ?? []} environments={environments?.map(e => e.id) ?? []} readOnly={!session.canEdit} />;
}

function Editor({ initial, activities, environments, readOnly }: { initial: DefinitionVersion; activities: Activity[]; environments: string[]; readOnly: boolean }) {
  const session = useSession();
  const [def, setDef] = useState(initial);
  const [text, setText] = useState(initial.text);
  // The graph follows the text; while typing in the YAML it follows a moment later, so layout does not run per keystroke.
  const [modelText, setModelText] = useState(initial.text);
  useEffect(() => {
    if (modelText === text) return;
    const timer = setTimeout(() => setModelText(text), relayoutDelayMs);
    return () => clearTimeout(timer);
  }, [text, modelText]);
  const [selected, setSelected] = useState<string>();
  const [serverErrors, setServerErrors] = useState<ValidationError[]>([]);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [envId, setEnvId] = useState<string>('');
  const [env, setEnv] = useState<EnvironmentDetail | null>(null);
  const [versions, setVersions] = useState<VersionSummary[]>([]);
  const [lastModel, setLastModel] = useState<WorkflowModel | null>(null);
  const [refused, setRefused] = useState(false);

  useEffect(() => { if (def.version > 0) api.versions(def.id).then(setVersions, () => setVersions([])); }, [def.id, def.version, def.state]);
  useEffect(() => { if (!envId && environments.length) setEnvId(environments.includes('sandbox') ? 'sandbox' : environments[0]); }, [environments, envId]);
  useEffect(() => { if (envId) api.environment(envId).then(setEnv, () => setEnv(null)); }, [envId]);

  const parsed = useMemo(() => parseWorkflow(modelText), [modelText]);
  useEffect(() => { if (parsed.model) setLastModel(parsed.model); }, [parsed]);
  const model = parsed.model ?? lastModel;
  const graph: WorkflowGraph = useMemo(() => (model ? buildGraph(model) : { nodes: [], edges: [] }), [model]);
  const steps = useMemo(() => (model ? allSteps(model) : []), [model]);
  const selectedStep = steps.find(s => s.path === selected);

  // Live validation by the server, a moment after the last keystroke.
  useEffect(() => {
    if (parsed.problems.length) return;
    const timer = setTimeout(() => { api.validate(def.id, text).then(setServerErrors, () => {}); }, 700);
    return () => clearTimeout(timer);
  }, [text, parsed.problems.length, def.id]);

  const errorsByNode = useMemo(() => {
    const map = new Map<string, string[]>();
    for (const e of serverErrors) {
      const node = e.path ? stepForFieldPath(e.path, steps.map(s => s.path)) : undefined;
      if (node) map.set(node, [...(map.get(node) ?? []), e.message]);
    }
    return map;
  }, [serverErrors, steps]);
  const lineProblems: LineProblem[] = useMemo(() => [
    ...parsed.problems,
    ...serverErrors.filter(e => e.line).map(e => ({ line: e.line!, column: e.column, message: `${e.path ? `${e.path}: ` : ''}${e.message}` })),
  ], [parsed.problems, serverErrors]);

  const decorate = useCallback((nodeId: string): NodeDecoration | undefined => {
    const errors = errorsByNode.get(nodeId);
    return errors ? { className: 'has-error', badge: `⚠ ${errors.length}`, badgeClass: 'error', badgeLabel: `${errors.length} problem${errors.length === 1 ? '' : 's'}`, title: errors.join('\n') } : undefined;
  }, [errorsByNode]);
  const linkFor = useCallback((nodeId: string) => {
    const step = steps.find(s => s.path === nodeId);
    return step?.kind === 'call' && step.with.workflow ? { text: `open ${String(step.with.workflow)}`, href: href.editor(String(step.with.workflow)) } : undefined;
  }, [steps]);

  const apply = (change: (t: string) => string, select?: string) => {
    try {
      const changed = change(text);
      setText(changed);
      setModelText(changed);
      if (select !== undefined) setSelected(select);
      setNotice(undefined);
    } catch (e) {
      setNotice({ kind: 'error', text: messageOf(e) });
    }
  };

  // Where a new step goes: into a selected block, after a selected step, else at the end.
  const insertion = (): { seq: Keys; index?: number; where: string } => {
    if (selected === onFailureNodeId) return { seq: ['on_failure'], where: 'Adds to the workflow on_failure' };
    if (selectedStep?.sections.length) return { seq: [...selectedStep.keys, selectedStep.sections[0].name], where: `Adds inside ${stepLabel(selectedStep)}` };
    if (selectedStep) return { seq: selectedStep.keys.slice(0, -1), index: selectedStep.index + 1, where: `Adds after ${stepLabel(selectedStep)}` };
    return { seq: ['steps'], where: 'Adds at the end (select a step to add after it)' };
  };

  const add = (item: PaletteItem) => {
    const { seq, index } = insertion();
    const step = { ...(item.step.uses && item.step.uses !== 'wait' ? { id: uniqueId(String(item.step.uses), steps.map(s => s.id)) } : {}), ...item.step };
    const seqLength = (model && seq.length === 1 ? (seq[0] === 'steps' ? model.steps.length : model.onFailure.length) : steps.filter(s => s.path.startsWith(pathOf(seq)) && s.keys.length === seq.length + 1).length);
    const at = index ?? seqLength;
    apply(t => addStep(t, seq, step, at), pathOf([...seq, at]));
  };

  const drop = (dragged: string, target: string, place: DropPlace) => {
    if (!model) return;
    try {
      const moved = dropStep(text, model, dragged, target, place);
      apply(() => moved.text, moved.path);
    } catch (e) {
      setNotice({ kind: 'error', text: `Cannot move the step there: ${messageOf(e)}.` });
    }
  };

  const toggleSelected = useCallback((id: string) => setSelected(s => (s === id ? undefined : id)), []);
  // A stable callback, so the graph's nodes are not rebuilt on every render of the editor.
  const dropRef = useRef(drop);
  dropRef.current = drop;
  const onDrop = useCallback((dragged: string, target: string, place: DropPlace) => dropRef.current(dragged, target, place), []);

  const fail = (e: unknown) => {
    if (e instanceof ApiError && e.status === 403) session.forbidden('edit');
    // A refused save lists its problems once, in the problems box; other failures get the notice.
    if (e instanceof ApiError && e.errors.length) { setServerErrors(e.errors); setRefused(true); setNotice(undefined); return; }
    setNotice({ kind: 'error', text: messageOf(e) });
  };

  const save = async () => {
    setBusy(true);
    try {
      const saved = await api.save(def.id, text, comment.trim());
      setDef(saved);
      if (def.version === 0) history.replaceState(null, '', href.editor(saved.id));
      setComment('');
      setServerErrors([]);
      setRefused(false);
      setNotice({ kind: 'ok', text: `Saved as version ${saved.version}.` });
    } catch (e) { fail(e); } finally { setBusy(false); }
  };

  const publish = async () => {
    setBusy(true);
    try {
      const published = await api.publish(def.id, def.version);
      if (published.version === def.version) {
        setDef({ ...def, state: published.state || 'published' });
        setNotice({ kind: 'ok', text: `Version ${def.version} is published.` });
      } else {
        // An older version made current again is published as a new version with its text.
        setDef(published);
        history.replaceState(null, '', href.editor(def.id, published.version));
        setNotice({ kind: 'ok', text: `v${def.version} is current again, published as v${published.version}: new runs use it.` });
      }
    } catch (e) { fail(e); } finally { setBusy(false); }
  };

  const dirty = text !== def.text;
  useLeaveWarning(dirty, leaveQuestion);
  const target = insertion();
  // The version new runs use: the newest published one.
  const current = versions.filter(v => v.state === 'published').at(-1)?.version;
  const older = current !== undefined && def.version < current;

  return (
    <div className="editor">
      <div className="toolbar">
        <h1>{def.id}</h1>
        {def.version === 0 && <span className="badge draft">new, not saved yet</span>}
        {def.version > 0 && <label>
          <span className="visually-hidden">Version</span>
          <select value={def.version} onChange={e => { const to = href.editor(def.id, Number(e.target.value)); if (mayLeaveFor(to)) location.hash = to; else e.target.value = String(def.version); }}>
            {(versions.length ? versions : [{ version: def.version, state: def.state } as VersionSummary]).map(v => <option key={v.version} value={v.version}>{versionLabel(v, v.version === current)}</option>)}
          </select>
        </label>}
        {def.version > 0 && <span className={`badge ${def.state}`}>{def.version === current ? 'published · current' : def.state}</span>}
        {dirty && <span className="badge draft">unsaved changes</span>}
        <span className="spacer" />
        <label className="env-picker">Environment <select value={envId} onChange={e => setEnvId(e.target.value)}>{environments.map(e => <option key={e}>{e}</option>)}</select></label>
        {!readOnly && (
          <form className="save" onSubmit={e => { e.preventDefault(); void save(); }}>
            <label><span className="visually-hidden">Version comment</span><input placeholder="What changed?" value={comment} onChange={e => setComment(e.target.value)} /></label>
            <button type="submit" className="primary" disabled={busy || !dirty || parsed.problems.length > 0}>Save version</button>
          </form>
        )}
        {!readOnly && def.version > 0 && (
          <button type="button" disabled={busy || dirty || def.version === current} onClick={() => void publish()}
            title={dirty ? 'Save first' : older ? `Publish v${def.version}'s text again as a new version, so new runs use it` : undefined}>
            {older ? `Make v${def.version} current` : `Publish v${def.version}`}
          </button>
        )}
        {def.version > 0 && <a className="button" href={href.compare(def.id, versions.length > 1 ? versions[versions.length - 2].version : undefined, versions.length > 1 ? def.version : undefined)}>Compare</a>}
        {session.canOperate && def.version > 0 && <a className="button" href={href.start(def.id)}>Run…</a>}
      </div>
      {notice && <div className={notice.kind === 'ok' ? 'notice' : 'error-box'} role={notice.kind === 'ok' ? 'status' : 'alert'}>{notice.text}</div>}
      {serverErrors.length > 0 && (
        <details className="problems" open>
          <summary>{refused ? 'Not saved: ' : ''}{serverErrors.length} validation problem{serverErrors.length > 1 ? 's' : ''}</summary>
          <ul>{serverErrors.map((e, i) => <li key={i}>{e.line ? `line ${e.line}: ` : ''}{e.path ? <code>{e.path}</code> : null} {e.message}</li>)}</ul>
        </details>
      )}
      <div className={`editor-body${readOnly ? ' read-only' : ''}`}>
        {!readOnly && <ActivityPalette activities={activities} onAdd={add} disabled={!parsed.model} target={target.where} />}
        <GraphView graph={graph} selected={selected} focus={selected} onSelect={toggleSelected} decorate={decorate} linkFor={linkFor} label={`Steps of ${def.id}`} onDrop={readOnly ? undefined : onDrop} />
        <div className="side">
          <PropertiesPanel key={selected ?? ""} step={selectedStep} activities={activities} env={env} readOnly={readOnly} errors={selected ? errorsByNode.get(selected) ?? [] : []} apply={apply} />
          <YamlEditor text={text} onChange={setText} problems={lineProblems} readOnly={readOnly} highlightLine={selectedStep?.line} />
        </div>
      </div>
    </div>
  );
}

function pathOf(keys: Keys): string {
  return keys.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

function uniqueId(uses: string, taken: (string | undefined)[]): string {
  const base = (uses.split('.').pop() ?? 'step').replace(/[^A-Za-z0-9_-]/g, '_').replace(/^[^A-Za-z]+/, '') || 'step';
  let id = base;
  for (let n = 2; taken.includes(id); n++) id = `${base}_${n}`;
  return id;
}

function emptyDraft(id: string): DefinitionVersion {
  return { id, version: 0, state: 'draft', text: `id: ${id}\nsteps:\n` };
}

const leaveQuestion = 'Leave the editor? Your unsaved changes will be lost.';

/** v3 · published (current) · ann 06/12/2026, 21:40 · re-published v1 */
function versionLabel(v: VersionSummary, current: boolean): string {
  const who = [v.author, when(v.publishedAt ?? v.createdAt)].filter(Boolean).join(' ');
  return [`v${v.version}`, `${v.state}${current ? ' (current)' : ''}`, who, v.comment].filter(Boolean).join(' · ');
}
