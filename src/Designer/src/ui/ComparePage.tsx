// Two versions side by side; steps added, removed or changed are highlighted in both graphs.
import { useCallback, useMemo } from 'react';
import { api } from '../api';
import { diffVersions, stepKey, type Change } from '../model/diff';
import { buildGraph } from '../model/graph';
import { allSteps, parseWorkflow } from '../model/workflow';
import { Empty, ErrorBox, Loading, useLoad } from './common';
import { GraphView } from './GraphView';
import { href } from './router';

export function ComparePage({ id, from, to }: { id: string; from?: number; to?: number }) {
  const [versions, error] = useLoad(() => api.versions(id), [id]);
  const latest = versions?.[versions.length - 1]?.version;
  const b = to ?? latest;
  const a = from ?? (b && b > 1 ? b - 1 : undefined);
  const [texts, textError] = useLoad(async () => (a && b ? Promise.all([api.definition(id, a), api.definition(id, b)]) : undefined), [id, a, b]);
  const diff = useMemo(() => (texts ? diffVersions(texts[0].text, texts[1].text) : undefined), [texts]);

  if (error || textError) return <ErrorBox>Could not compare: {error ?? textError}</ErrorBox>;
  if (!versions) return <Loading what="versions" />;
  const pick = (side: 'from' | 'to', v: number) => { location.hash = href.compare(id, side === 'from' ? v : a, side === 'to' ? v : b); };

  return (
    <section className="compare">
      <div className="toolbar">
        <h1>Compare <a href={href.editor(id)}>{id}</a></h1>
        <label>From <select value={a ?? ''} onChange={e => pick('from', Number(e.target.value))}>{versions.map(v => <option key={v.version} value={v.version}>v{v.version}</option>)}</select></label>
        <label>To <select value={b ?? ''} onChange={e => pick('to', Number(e.target.value))}>{versions.map(v => <option key={v.version} value={v.version}>v{v.version}</option>)}</select></label>
        {diff && <span className="muted">{plural(diff.after.size + [...diff.before.values()].filter(c => c === 'removed').length, 'step change')}{diff.fields.length ? `; fields changed: ${diff.fields.join(', ')}` : ''}</span>}
      </div>
      {versions.length < 2 && <Empty>Only one version so far: save another to compare.</Empty>}
      {texts && diff && (
        <div className="compare-body">
          <Side title={`v${a}`} text={texts[0].text} changes={diff.before} />
          <Side title={`v${b}`} text={texts[1].text} changes={diff.after} />
        </div>
      )}
    </section>
  );
}

function Side({ title, text, changes }: { title: string; text: string; changes: Map<string, Change> }) {
  const model = useMemo(() => parseWorkflow(text).model, [text]);
  const graph = useMemo(() => (model ? buildGraph(model) : { nodes: [], edges: [] }), [model]);
  const keyOf = useMemo(() => new Map((model ? allSteps(model) : []).map(s => [s.path, stepKey(s)])), [model]);
  const decorate = useCallback((nodeId: string) => {
    const change = changes.get(keyOf.get(nodeId) ?? '');
    return change ? { className: `diff-${change}`, badge: change, badgeClass: `diff-${change}` } : undefined;
  }, [changes, keyOf]);
  return (
    <div className="compare-side">
      <h2>{title}</h2>
      <GraphView graph={graph} decorate={decorate} label={`Steps of ${title}`} />
    </div>
  );
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
