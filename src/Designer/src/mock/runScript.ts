// The mock run: rolling-deploy on the sandbox, deploying to the out group when the page opens.
import type { JournalEvent } from '../api';

const at = (start: number, s: number) => new Date(start - 90_000 + s * 1000).toISOString();

export function runJournal(start: number): JournalEvent[] {
  let n = 0;
  const e = (s: number, x: Omit<JournalEvent, 'sequence' | 'time'>): JournalEvent => ({ sequence: ++n, time: at(start, s), ...x });
  return [
    e(0, { type: 'run.started', message: 'rolling-deploy v2 on sandbox' }),
    e(1, { type: 'step.started', path: 'steps[0]', stepId: 'tag', activity: 'git.latest-tag' }),
    e(2, { type: 'step.succeeded', path: 'steps[0]', stepId: 'tag', activity: 'git.latest-tag', outputs: { tag: 'v3.0.1' } }),
    e(3, { type: 'step.started', path: 'steps[1]', stepId: 'only_first_live', activity: 'lb.live' }),
    e(4, { type: 'log', path: 'steps[1]', message: 'group1 drained (0 sessions), now out' }),
    e(5, { type: 'step.succeeded', path: 'steps[1]', stepId: 'only_first_live', activity: 'lb.live' }),
    e(6, { type: 'step.started', path: 'steps[2]', stepId: 'deploy_out_1', activity: 'deploy.release' }),
    e(7, { type: 'log', path: 'steps[2]', host: 'web1', message: 'releases/v3.0.1 unpacked' }),
    e(8, { type: 'log', path: 'steps[2]', host: 'web2', message: 'releases/v3.0.1 unpacked' }),
  ];
}

export function liveEvents(start: number): JournalEvent[] {
  const base = runJournal(start);
  let n = base.length;
  const e = (s: number, x: Omit<JournalEvent, 'sequence' | 'time'>): JournalEvent => ({ sequence: ++n, time: at(start, s), ...x });
  return [
    ...base,
    e(10, { type: 'log', path: 'steps[2]', host: 'web1', message: 'current -> releases/v3.0.1; restarted; health 200' }),
    e(11, { type: 'progress', path: 'steps[2]', message: '1/2 done, 0 failed', payload: { done: 1, total: 2, failed: 0 } }),
    e(12, { type: 'log', path: 'steps[2]', host: 'web2', message: 'restarting opensky' }),
  ];
}
