// Folds a run's journal events (from GET /runs/{id} and the live stream) into what the run view
// shows: a state per graph node, per-host progress, waits to answer and the log.
import type { JournalEvent, RunStatus } from '../api';
import { nodeForJournalPath } from './paths';

export type StepState = 'pending' | 'running' | 'waiting' | 'retrying' | 'succeeded' | 'failed' | 'skipped';

export interface NodeRunState {
  state: StepState;
  /** Each instance (a foreach iteration) by journal key. */
  instances: Record<string, StepState>;
  /** Each host's state over the whole node (every step inside a called workflow, every iteration). */
  hosts: Record<string, StepState>;
  /** Each host's state by the journal key of the step that worked on it. */
  hostsByKey: Record<string, Record<string, StepState>>;
  progress?: { done: number; total: number; failed: number };
  error?: string; attempt?: number;
  /** The sequence of the event that last started it, to tell which active node started last. */
  startedAt?: number;
}

export interface WaitInfo { path: string; node: string; signal: string; kind: string; description: string }

export interface LogLine { sequence: number; time?: string; node?: string; host?: string; level: 'info' | 'warn' | 'error'; text: string }

export interface RunState { lastSequence: number; status: RunStatus; nodes: Record<string, NodeRunState>; waiting: Record<string, WaitInfo>; log: LogLine[] }

export const initialRunState = (status: RunStatus = 'pending'): RunState => ({ lastSequence: 0, status, nodes: {}, waiting: {}, log: [] });

const stepStates: Record<string, StepState> = {
  'step.started': 'running', 'step.resumed': 'running', 'step.retrying': 'retrying', 'step.waiting': 'waiting',
  'step.succeeded': 'succeeded', 'step.failed': 'failed', 'step.skipped': 'skipped',
};

/** The node's overall state from its instances: any failure wins, then activity, then done. */
export function combine(states: StepState[]): StepState {
  const order: StepState[] = ['failed', 'waiting', 'retrying', 'running', 'pending', 'succeeded', 'skipped'];
  for (const s of order) if (states.includes(s)) return s;
  return 'pending';
}

export function applyEvent(state: RunState, e: JournalEvent): RunState {
  if (e.sequence && e.sequence <= state.lastSequence) return state; // replayed by a reconnect
  const next: RunState = { ...state, lastSequence: Math.max(state.lastSequence, e.sequence || 0), nodes: { ...state.nodes }, waiting: { ...state.waiting }, log: [...state.log] };
  const target = e.path ? nodeForJournalPath(e.path) : undefined;
  const node = target ? (next.nodes[target.node] = copy(next.nodes[target.node])) : undefined;

  const stepState = stepStates[e.type];
  if (node && e.path && (stepState || (e.type === 'log' && e.host))) {
    trackHosts(node, e.path, e.host, stepState);
  }
  if (node && target && stepState) {
    if (target.direct) {
      node.instances[e.path!] = stepState;
      if (stepState === 'running') node.startedAt = e.sequence;
      node.state = combine(Object.values(node.instances));
      if (e.error) node.error = e.error.message;
      if (e.attempt) node.attempt = e.attempt;
    } else if (node.state === 'pending' || node.state === 'succeeded') {
      node.state = 'running'; // something inside the called workflow moved
    }
    if (stepState === 'waiting' && e.wait) {
      next.waiting[e.path!] = { path: e.path!, node: target.node, signal: e.wait.signal ?? '', kind: e.wait.kind ?? '', description: e.wait.description ?? e.message ?? '' };
      next.status = 'waiting';
    } else if (stepState !== 'waiting') {
      delete next.waiting[e.path!];
    }
  }

  switch (e.type) {
    case 'run.started': case 'run.resumed': next.status = 'running'; break;
    case 'run.finished': next.status = e.status ?? next.status; next.waiting = {}; break;
    case 'run.retried': next.status = 'pending'; next.waiting = {}; break;
    case 'progress': {
      const p = e.payload as { done?: number; total?: number; failed?: number } | undefined;
      if (node && p) node.progress = { done: Number(p.done ?? 0), total: Number(p.total ?? 0), failed: Number(p.failed ?? 0) };
      break;
    }
    case 'step.started': if (next.status === 'pending' || next.status === 'waiting') next.status = 'running'; break;
  }

  const text = describe(e);
  if (text) next.log.push({ sequence: e.sequence, time: e.time, node: target?.node, host: e.host, level: e.type === 'step.failed' || (e.type === 'run.finished' && e.status === 'failed') ? 'error' : e.actor === 'warn' || e.type === 'step.retrying' ? 'warn' : 'info', text });
  return next;
}

export function applyEvents(state: RunState, events: JournalEvent[]): RunState {
  return events.reduce(applyEvent, state);
}

function copy(n: NodeRunState | undefined): NodeRunState {
  return n ? { ...n, instances: { ...n.instances }, hosts: { ...n.hosts }, hostsByKey: { ...n.hostsByKey } } : { state: 'pending', instances: {}, hosts: {}, hostsByKey: {} };
}

const finishedStates = new Set<StepState>(['succeeded', 'failed', 'skipped']);

/**
 * Follows hosts by the step that works on them: an event naming a host sets its state in that
 * step; a host known only from log lines runs until its step (or a step around it) finishes. The
 * node's hosts combine every step's, so a host counts as done only when no step still runs on it.
 */
function trackHosts(node: NodeRunState, key: string, host: string | undefined, state: StepState | undefined) {
  if (host) {
    const hosts = { ...node.hostsByKey[key] };
    if (state) hosts[host] = state;
    else hosts[host] ??= 'running';
    node.hostsByKey[key] = hosts;
  } else if (state && finishedStates.has(state)) {
    for (const [k, hosts] of Object.entries(node.hostsByKey)) {
      if (k !== key && !k.startsWith(`${key}/`) && !k.startsWith(`${key}.`) && !k.startsWith(`${key}[`)) continue;
      const done = Object.fromEntries(Object.entries(hosts).map(([h, s]) => [h, s === 'running' || s === 'retrying' ? state : s]));
      node.hostsByKey[k] = done;
    }
  } else {
    return;
  }
  const byHost: Record<string, StepState[]> = {};
  for (const hosts of Object.values(node.hostsByKey)) for (const [h, s] of Object.entries(hosts)) (byHost[h] ??= []).push(s);
  node.hosts = Object.fromEntries(Object.entries(byHost).sort(([a], [b]) => a.localeCompare(b)).map(([h, states]) => [h, combine(states)]));
}

/** Hosts over the whole run: each host's state combined over every node that worked on it. */
export function runHosts(state: RunState): { hosts: Record<string, StepState>; done: number; failed: number; running: number } {
  const byHost: Record<string, StepState[]> = {};
  for (const n of Object.values(state.nodes)) for (const [h, s] of Object.entries(n.hosts)) (byHost[h] ??= []).push(s);
  const hosts = Object.fromEntries(Object.entries(byHost).sort(([a], [b]) => a.localeCompare(b)).map(([h, states]) => [h, combine(states)]));
  const values = Object.values(hosts);
  return { hosts, done: values.filter(s => s === 'succeeded' || s === 'skipped').length, failed: values.filter(s => s === 'failed').length, running: values.filter(s => !finishedStates.has(s)).length };
}

function describe(e: JournalEvent): string {
  const who = e.stepId ?? e.path ?? '';
  switch (e.type) {
    case 'run.started': return 'run started';
    case 'run.resumed': return 'run resumed';
    case 'run.finished': return `run ${e.status ?? 'finished'}${e.message ? `: ${e.message}` : ''}`;
    case 'run.cancel-requested': return `cancel requested${e.actor ? ` by ${e.actor}` : ''}`;
    case 'run.retried': return e.message ?? `run retried${e.actor ? ` by ${e.actor}` : ''}`;
    case 'step.started': return `${who} started${e.activity ? ` (${e.activity})` : ''}`;
    case 'step.succeeded': return `${who} succeeded`;
    case 'step.failed': return `${who} failed: ${e.error?.message ?? e.message ?? 'unknown error'}`;
    case 'step.skipped': return `${who} skipped${e.message ? `: ${e.message}` : ''}`;
    case 'step.waiting': return `${who} waiting: ${e.message ?? e.wait?.description ?? e.wait?.signal ?? ''}`;
    case 'step.resumed': return `${who} resumed by ${e.signal ?? 'a signal'}${e.actor ? ` from ${e.actor}` : ''}`;
    case 'step.retrying': return `${who} retrying (attempt ${e.attempt ?? '?'}): ${e.error?.message ?? e.message ?? ''}`;
    case 'signal.received': return `signal ${e.signal ?? ''} received${e.actor ? ` from ${e.actor}` : ''}`;
    default: return e.message ?? '';
  }
}

/** A node's hosts counted: done (succeeded or skipped), failed, and all. */
export function hostCounts(hosts: Record<string, StepState>): { done: number; failed: number; total: number } {
  const values = Object.values(hosts);
  return { done: values.filter(s => s === 'succeeded' || s === 'skipped').length, failed: values.filter(s => s === 'failed').length, total: values.length };
}

/** The node the run view follows: the last one to start among those running, waiting or retrying. */
export function activeNode(state: RunState): string | undefined {
  let best: string | undefined;
  let latest = -1;
  for (const [id, n] of Object.entries(state.nodes)) {
    if ((n.state === 'running' || n.state === 'waiting' || n.state === 'retrying') && (n.startedAt ?? 0) > latest) { best = id; latest = n.startedAt ?? 0; }
  }
  return best;
}
