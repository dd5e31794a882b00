// A run live: the graph coloured by step state from the event stream, waits to answer, per-host
// progress, the journal, and the environment's load balancer beside it.
import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import { api, ApiError, normaliseEvent, type JournalEvent, type LbStatus, type Run } from '../api';
import { buildGraph } from '../model/graph';
import { activeNode, applyEvents, hostCounts, initialRunState, runHosts, type RunState, type WaitInfo } from '../model/runState';
import { defaultPayload, signalsToSend } from '../model/signals';
import { readSse } from '../model/sse';
import { parseWorkflow } from '../model/workflow';
import { ErrorBox, Loading, messageOf, StatusBadge, useLoad, when } from './common';
import { GraphView, type NodeDecoration } from './GraphView';
import { href } from './router';
import { useSession } from './session';

const finished = new Set(['succeeded', 'failed', 'cancelled', 'superseded']);

type Action = { type: 'reset'; state: RunState } | { type: 'events'; events: JournalEvent[] };
const reducer = (s: RunState, a: Action) => (a.type === 'reset' ? a.state : applyEvents(s, a.events));

export function RunPage({ id }: { id: string }) {
  const [detail, error, reload] = useLoad(() => api.run(id), [id]);
  const [def] = useLoad(async () => (detail ? api.definition(detail.run.workflowId, detail.run.workflowVersion) : undefined), [detail]);
  const [state, dispatch] = useReducer(reducer, initialRunState());
  const [streamError, setStreamError] = useState<string>();

  useEffect(() => {
    if (!detail) return;
    dispatch({ type: 'reset', state: applyEvents(initialRunState(detail.run.status), detail.journal) });
  }, [detail]);

  // Follow the live stream from the last event we have; reconnect until the run is finished.
  useEffect(() => {
    if (!detail || finished.has(detail.run.status)) return;
    const abort = new AbortController();
    let after = detail.journal.reduce((m, e) => Math.max(m, e.sequence), 0);
    let done = false;
    const follow = async () => {
      while (!abort.signal.aborted && !done) {
        try {
          const stream = await api.events(id, after, abort.signal);
          setStreamError(undefined);
          await readSse(stream, m => {
            const e = normaliseEvent(JSON.parse(m.data));
            after = Math.max(after, e.sequence);
            if (e.type === 'run.finished') done = true;
            dispatch({ type: 'events', events: [e] });
          });
        } catch (e) {
          if (abort.signal.aborted) return;
          setStreamError(`Live updates interrupted: ${messageOf(e)}; retrying…`);
        }
        if (!done) await new Promise(r => setTimeout(r, 2000));
      }
    };
    void follow();
    return () => abort.abort();
  }, [detail, id]);

  const model = useMemo(() => (def ? parseWorkflow(def.text).model : null), [def]);
  const graph = useMemo(() => (model ? buildGraph(model) : { nodes: [], edges: [] }), [model]);
  const decorate = useCallback((nodeId: string): NodeDecoration => {
    const n = state.nodes[nodeId];
    if (!n) return { className: 'run-pending' };
    const hosts = hostCounts(n.hosts);
    const badge = hosts.total ? `${hosts.done}/${hosts.total} hosts${hosts.failed ? `, ${hosts.failed} failed` : ''}`
      : n.progress ? `${n.progress.done}/${n.progress.total}${n.progress.failed ? `, ${n.progress.failed} failed` : ''}` : n.state;
    return { className: `run-${n.state}`, badge, title: n.error };
  }, [state]);
  // The step the view follows: the one that started last among those still running or waiting.
  const focus = useMemo(() => activeNode(state), [state]);

  const labels = new Map(graph.nodes.map(n => [n.id, n.label]));
  if (error) return <ErrorBox>Could not load run {id}: {error}</ErrorBox>;
  if (!detail) return <Loading what={`run ${id}`} />;
  const run = { ...detail.run, status: state.status };

  return (
    <div className="run">
      <div className="toolbar">
        <h1>Run {run.id}</h1>
        <StatusBadge status={run.status} />
        <span className="muted"><a href={href.editor(run.workflowId, run.workflowVersion)}>{run.workflowId}{run.workflowVersion ? ` v${run.workflowVersion}` : ''}</a> on {run.environmentId} · {run.trigger} by {run.startedBy ?? 'someone'} · {when(run.createdAt)}</span>
        <span className="spacer" />
        <RunControls run={run} journal={detail.journal} onRetried={reload} />
      </div>
      {streamError && <div className="notice" role="status">{streamError}</div>}
      <div className="run-body">
        <GraphView graph={graph} decorate={decorate} focus={focus} label={`Steps of run ${run.id}`} />
        <div className="side">
          <Waits runId={run.id} waits={Object.values(state.waiting)} labels={labels} />
          <HostProgress state={state} labels={labels} />
          {run.environmentId && <LoadBalancer env={run.environmentId} live={!finished.has(run.status)} sequence={state.lastSequence} />}
          <Journal state={state} />
        </div>
      </div>
    </div>
  );
}

function RunControls({ run, journal, onRetried }: { run: Run; journal: JournalEvent[]; onRetried: () => void }) {
  const session = useSession();
  const [problem, setProblem] = useState<string>();
  if (!session.canOperate) return null;
  if (run.status === 'failed' || run.status === 'cancelled') return <RetryControl run={run} journal={journal} onRetried={onRetried} />;
  if (finished.has(run.status)) return null;
  const cancel = async () => {
    if (!confirm(`Cancel run ${run.id}? Its on_failure steps will run.`)) return;
    try { await api.cancel(run.id); } catch (e) { if (e instanceof ApiError && e.status === 403) session.forbidden('operate'); setProblem(messageOf(e)); }
  };
  return <>{problem && <span className="error-inline" role="alert">{problem}</span>}<button type="button" className="danger" onClick={() => void cancel()}>Cancel run</button></>;
}

/** Steps a retry may go on from: those that ran, outside on_failure and finally, in the order they first ran. */
function retrySteps(journal: JournalEvent[]): string[] {
  const ids = journal.filter(e => e.type === 'step.started' && e.stepId && !/on_failure|finally\[/.test(e.path ?? '')).map(e => e.stepId!);
  return [...new Set(ids)];
}

/** Retry a failed or cancelled run in the same run id; the step picker chooses where it goes on from. */
function RetryControl({ run, journal, onRetried }: { run: Run; journal: JournalEvent[]; onRetried: () => void }) {
  const session = useSession();
  const [from, setFrom] = useState('');
  const [result, setResult] = useState<string>();
  const retry = async () => {
    try {
      const retried = await api.retry(run.id, from || undefined);
      setResult(`Retried ${retried.reason}.`);
      onRetried();
    } catch (e) { if (e instanceof ApiError && e.status === 403) session.forbidden('operate'); setResult(messageOf(e)); }
  };
  return (
    <>
      {result && <span className="small" role="status">{result}</span>}
      <label className="small" htmlFor="retry-from">from</label>
      <select id="retry-from" value={from} onChange={e => setFrom(e.target.value)}>
        <option value="">the failed step (default)</option>
        {retrySteps(journal).map(s => <option key={s} value={s}>{s}</option>)}
      </select>
      <button type="button" className="primary" onClick={() => void retry()}>Retry</button>
    </>
  );
}

function Waits({ runId, waits, labels }: { runId: string; waits: WaitInfo[]; labels: Map<string, string> }) {
  const session = useSession();
  if (!waits.length) return null;
  return (
    <section className="panel waits" aria-label="Waiting steps">
      <h2>Waiting</h2>
      {waits.map(w => <WaitCard key={w.path} runId={runId} wait={w} label={labels.get(w.node) ?? w.node} canOperate={session.canOperate} onForbidden={() => session.forbidden('operate')} />)}
    </section>
  );
}

function WaitCard({ runId, wait, label, canOperate, onForbidden }: { runId: string; wait: WaitInfo; label: string; canOperate: boolean; onForbidden: () => void }) {
  const [payload, setPayload] = useState(() => JSON.stringify(defaultPayload(wait), null, 1));
  const [result, setResult] = useState<string>();
  const send = async (body: string) => {
    let data: unknown;
    try { data = JSON.parse(body); } catch { setResult('The payload must be JSON, e.g. { "merged_into": "hotfix/3.0.1" }'); return; }
    try { for (const one of signalsToSend(wait.signal, data)) await api.signal(runId, wait.signal, one); setResult(`Sent ${wait.signal}.`); } catch (e) { if (e instanceof ApiError && e.status === 403) onForbidden(); setResult(messageOf(e)); }
  };
  return (
    <div className="wait-card">
      <p><strong>{label}</strong> waits for <code>{wait.signal || wait.kind}</code>{wait.description ? `: ${wait.description}` : ''}</p>
      {canOperate && (
        <>
          {wait.kind === 'approval' && <button type="button" className="primary" onClick={() => void send('{ "approved": true }')}>Approve</button>}
          {wait.kind === 'error' && (['retry', 'skip', 'abort'] as const).map(a => (
            <button key={a} type="button" className={a === 'abort' ? 'danger' : a === 'retry' ? 'primary' : undefined}
              onClick={() => void api.answer(runId, a, wait.path).then(() => setResult(`Answered ${a}.`), e => { if (e instanceof ApiError && e.status === 403) onForbidden(); setResult(messageOf(e)); })}>
              {a === 'retry' ? 'Retry step' : a === 'skip' ? 'Skip step' : 'Abort run'}
            </button>
          ))}
          <label className="small" htmlFor={`payload-${wait.path}`}>Signal payload (JSON)</label>
          <textarea id={`payload-${wait.path}`} rows={4} value={payload} onChange={e => setPayload(e.target.value)} />
          <button type="button" onClick={() => void send(payload)}>Send signal {wait.signal}</button>
        </>
      )}
      {result && <p className="small" role="status">{result}</p>}
    </div>
  );
}

/**
 * Hosts over the whole run (a host is done when no step still works on it), then by step. Counts
 * come from the hosts' own states, never from one step's progress report, so the summary cannot
 * say "done" while a host still runs.
 */
function HostProgress({ state, labels }: { state: RunState; labels: Map<string, string> }) {
  const rows = Object.entries(state.nodes).filter(([, n]) => n.progress || Object.keys(n.hosts).length);
  if (!rows.length) return null;
  const all = runHosts(state);
  const total = Object.keys(all.hosts).length;
  return (
    <section className="panel" aria-label="Per-host progress">
      <h2>Hosts {total > 0 && <span className="muted host-summary">{all.done}/{total} done{all.running ? `, ${all.running} running` : ''}{all.failed ? `, ${all.failed} failed` : ''}</span>}</h2>
      {total > 0 && <progress max={total} value={all.done} aria-label="Hosts done in this run" />}
      {rows.map(([nodeId, n]) => {
        const hosts = hostCounts(n.hosts);
        const label = labels.get(nodeId) ?? nodeId;
        return (
          <div key={nodeId} className="host-row">
            <div><strong>{label}</strong> <span className="muted">{hosts.total
              ? `${hosts.done}/${hosts.total} hosts done${hosts.failed ? `, ${hosts.failed} failed` : ''}`
              : n.progress ? `${n.progress.done}/${n.progress.total} done${n.progress.failed ? `, ${n.progress.failed} failed` : ''}` : ''}</span></div>
            {!hosts.total && n.progress && <progress max={n.progress.total || 1} value={n.progress.done} aria-label={`${label} progress`} />}
            <ul className="hosts">{Object.entries(n.hosts).map(([h, s]) => <li key={h} className={`host run-${s}`}>{h} <span className="small">{s}</span></li>)}</ul>
          </div>
        );
      })}
    </section>
  );
}

function LoadBalancer({ env, live, sequence }: { env: string; live: boolean; sequence: number }) {
  const [status, setStatus] = useState<LbStatus>();
  const [error, setError] = useState<string>();
  // Ask again shortly after new journal events (a burst asks once), and every few seconds while the run lives.
  useEffect(() => {
    let stop = false;
    const poll = () => api.loadBalancer(env).then(s => { if (!stop) { setStatus(s); setError(undefined); } }, e => !stop && setError(messageOf(e)));
    const soon = setTimeout(poll, 300);
    const timer = live ? setInterval(poll, 5000) : undefined;
    return () => { stop = true; clearTimeout(soon); clearInterval(timer); };
  }, [env, live, sequence]);
  return (
    <section className="panel lb" aria-label="Load balancer">
      <h2>Load balancer · {env}</h2>
      {error && <p className="error-inline">{error}</p>}
      {!status && !error && <p className="muted">Asking the load balancer…</p>}
      {status && (
        <div className="lb-groups">
          {status.groups.map(g => (
            <div key={g.name} className={`lb-group lb-${g.state}`}>
              <div><strong>{g.name}</strong> <span className="badge">{g.state}</span></div>
              <ul>{g.servers.map(s => <li key={s.name} className={s.live ? 'live' : 'out'}>{s.name} <span className="small">{s.live ? 'live' : (s.admin ?? 'out')}</span></li>)}</ul>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}

/** The journal; it follows new entries unless the reader has scrolled up to read older ones. */
function Journal({ state }: { state: RunState }) {
  const list = useRef<HTMLElement>(null);
  const following = useRef(true);
  const lastTop = useRef(0);
  const follow = () => {
    const el = list.current;
    if (el && following.current) {
      el.scrollTop = el.scrollHeight;
      lastTop.current = el.scrollTop;
    }
  };
  useLayoutEffect(follow, [state.log.length]);
  // The panel also shrinks without a new entry (the load balancer panel above it grows when its state
  // arrives, after the run's last event): that moves no scrollbar and fires no scroll event, so the end
  // went out of view until the next entry, which a finished run never has.
  useEffect(() => {
    const el = list.current;
    if (!el) return;
    const resized = new ResizeObserver(follow);
    resized.observe(el);
    return () => resized.disconnect();
  }, []);
  // Only the reader moving up stops the following. The end also leaves the view without anyone scrolling:
  // a scroll event is dispatched a frame after the scroll, and a panel above that grew in between (or
  // entries that arrived) puts the end out of view by then; reading that as "scrolled away" left a
  // finished run's journal short of its last entries.
  const onScroll = () => {
    const el = list.current;
    if (!el) return;
    if (el.scrollHeight - el.scrollTop - el.clientHeight < 24) following.current = true;
    else if (el.scrollTop < lastTop.current) following.current = false;
    lastTop.current = el.scrollTop;
  };
  return (
    <section className="panel journal" aria-label="Journal" ref={list} onScroll={onScroll}>
      <h2>Journal</h2>
      <ol aria-live="polite">
        {state.log.map(l => <li key={l.sequence} className={`log-${l.level}`}><span className="seq">{l.sequence}</span>{l.host && <span className="host-tag">{l.host}</span>} {l.text}</li>)}
      </ol>
      {state.log.length === 0 && <p className="muted">No events yet.</p>}
    </section>
  );
}
