import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../src/api';
import { activeNode, applyEvent, applyEvents, initialRunState, runHosts } from '../src/model/runState';
import { nodeForJournalPath, stepForFieldPath } from '../src/model/paths';
import { createSseParser } from '../src/model/sse';

let seq = 0;
const ev = (type: string, extra: Partial<JournalEvent> = {}): JournalEvent => ({ sequence: ++seq, type, ...extra });

describe('nodeForJournalPath', () => {
  it('maps plain, foreach and call keys to graph nodes', () => {
    expect(nodeForJournalPath('steps[2].group[1]')).toEqual({ node: 'steps[2].group[1]', direct: true });
    expect(nodeForJournalPath('steps[1][3]/steps[1].steps[0]')).toEqual({ node: 'steps[1].steps[0]', direct: true });
    expect(nodeForJournalPath('steps[5]/steps[2]')).toEqual({ node: 'steps[5]', direct: false });
    expect(nodeForJournalPath('steps[5]/on_failure:steps[0]')).toEqual({ node: 'steps[5]', direct: false });
  });

  it('finds the step a validation error path points into', () => {
    expect(stepForFieldPath('steps[1].group[0].with.tag', ['steps[0]', 'steps[1]', 'steps[1].group[0]'])).toBe('steps[1].group[0]');
    expect(stepForFieldPath('inputs.version', ['steps[0]'])).toBeUndefined();
  });
});

describe('applyEvent', () => {
  it('a retried run is pending again and its journal says who retried from where', () => {
    seq = 0;
    let s = applyEvents(initialRunState(), [
      ev('run.started'),
      ev('step.started', { path: 'steps[0]', stepId: 'deploy' }),
      ev('step.failed', { path: 'steps[0]', stepId: 'deploy', error: { message: 'boom' } }),
      ev('run.finished', { status: 'failed' }),
    ]);
    s = applyEvents(s, [ev('run.retried', { path: 'steps[0]', stepId: 'deploy', actor: 'ann', message: "retried from the failed step 'deploy' by ann" })]);
    expect(s.status).toBe('pending');
    expect(s.log.at(-1)?.text).toBe("retried from the failed step 'deploy' by ann");
    s = applyEvents(s, [ev('run.resumed'), ev('step.started', { path: 'steps[0]', stepId: 'deploy' })]);
    expect(s.status).toBe('running');
  });

  it('colours steps as they start, wait, resume and finish', () => {
    seq = 0;
    let s = applyEvents(initialRunState(), [
      ev('run.started'),
      ev('step.started', { path: 'steps[0]', stepId: 'tag' }),
      ev('step.succeeded', { path: 'steps[0]', stepId: 'tag' }),
      ev('step.started', { path: 'steps[1]', stepId: 'review' }),
      ev('step.waiting', { path: 'steps[1]', stepId: 'review', wait: { kind: 'signal', signal: 'pull_request', description: 'a merged pull request' } }),
    ]);
    expect(s.status).toBe('waiting');
    expect(s.nodes['steps[0]'].state).toBe('succeeded');
    expect(s.nodes['steps[1]'].state).toBe('waiting');
    expect(Object.values(s.waiting)).toEqual([{ path: 'steps[1]', node: 'steps[1]', signal: 'pull_request', kind: 'signal', description: 'a merged pull request' }]);
    s = applyEvents(s, [ev('step.resumed', { path: 'steps[1]', stepId: 'review', signal: 'pull_request', actor: 'ann' }), ev('step.failed', { path: 'steps[1]', stepId: 'review', error: { message: 'boom' } }), ev('run.finished', { status: 'failed' })]);
    expect(s.waiting).toEqual({});
    expect(s.nodes['steps[1]']).toMatchObject({ state: 'failed', error: 'boom' });
    expect(s.status).toBe('failed');
    expect(s.log.map(l => l.text)).toEqual([
      'run started', 'tag started', 'tag succeeded', 'review started', 'review waiting: a merged pull request',
      'review resumed by pull_request from ann', 'review failed: boom', 'run failed',
    ]);
  });

  it('tracks foreach iterations and hosts, and deploy progress', () => {
    seq = 0;
    const s = applyEvents(initialRunState('running'), [
      ev('step.started', { path: 'steps[0][0]/steps[0].steps[0]', host: 'web1' }),
      ev('step.started', { path: 'steps[0][1]/steps[0].steps[0]', host: 'web2' }),
      ev('step.succeeded', { path: 'steps[0][0]/steps[0].steps[0]', host: 'web1' }),
      ev('step.started', { path: 'steps[1]', activity: 'deploy.release' }),
      ev('log', { path: 'steps[1]', host: 'web3', message: 'unpacking v3.0.1' }),
      ev('progress', { path: 'steps[1]', payload: { done: 1, total: 2, failed: 0 } }),
    ]);
    expect(s.nodes['steps[0].steps[0]']).toMatchObject({ state: 'running', hosts: { web1: 'succeeded', web2: 'running' } });
    expect(s.nodes['steps[1]']).toMatchObject({ state: 'running', hosts: { web3: 'running' }, progress: { done: 1, total: 2, failed: 0 } });
    const done = applyEvents(s, [ev('step.succeeded', { path: 'steps[1]' }), ev('step.succeeded', { path: 'steps[0]', activity: 'foreach' })]);
    expect(done.nodes['steps[1]'].hosts).toEqual({ web3: 'succeeded' });
  });

  it('counts hosts over the run: none is done while a step still runs on it', () => {
    seq = 0;
    // A call (steps[5]) deploys group1 then group2; each deploy reports its own 2/2.
    let s = applyEvents(initialRunState('running'), [
      ev('step.started', { path: 'steps[5]' }),
      ev('step.started', { path: 'steps[5]/steps[1]' }),
      ev('log', { path: 'steps[5]/steps[1]', host: 'web1', message: 'deploying' }),
      ev('log', { path: 'steps[5]/steps[1]', host: 'web2', message: 'deploying' }),
      ev('progress', { path: 'steps[5]/steps[1]', payload: { done: 2, total: 2, failed: 0 } }),
    ]);
    expect(s.nodes['steps[5]'].hosts).toEqual({ web1: 'running', web2: 'running' });
    expect(runHosts(s)).toMatchObject({ done: 0, running: 2 });
    s = applyEvents(s, [
      ev('step.succeeded', { path: 'steps[5]/steps[1]' }),
      ev('step.started', { path: 'steps[5]/steps[3]' }),
      ev('step.succeeded', { path: 'steps[5]/steps[3]', host: 'web3' }),
      ev('log', { path: 'steps[5]/steps[3]', host: 'web4', message: 'deploying' }),
    ]);
    expect(runHosts(s)).toMatchObject({ done: 3, running: 1, hosts: { web1: 'succeeded', web2: 'succeeded', web3: 'succeeded', web4: 'running' } });
    expect(activeNode(s)).toBe('steps[5]');
    s = applyEvents(s, [ev('step.succeeded', { path: 'steps[5]/steps[3]' }), ev('step.succeeded', { path: 'steps[5]' })]);
    expect(runHosts(s)).toMatchObject({ done: 4, running: 0, failed: 0 });
    expect(activeNode(s)).toBeUndefined();
  });

  it('keeps a call step running while its workflow runs, and ignores replayed events', () => {
    seq = 0;
    const started = applyEvents(initialRunState('running'), [ev('step.started', { path: 'steps[5]' }), ev('step.succeeded', { path: 'steps[5]/steps[0]' })]);
    expect(started.nodes['steps[5]'].state).toBe('running');
    expect(applyEvent(started, { sequence: 1, type: 'step.failed', path: 'steps[5]' })).toBe(started);
  });
});

describe('createSseParser', () => {
  it('joins chunks into messages and skips comments', () => {
    const got: unknown[] = [];
    const push = createSseParser(m => got.push(m));
    push('id: 1\nevent: step.started\ndata: {"sequence":1,');
    push('"type":"step.started"}\n\n: keep-alive\n\nid: 2\ndata: a\ndata: b\n\n');
    expect(got).toEqual([
      { id: '1', event: 'step.started', data: '{"sequence":1,"type":"step.started"}' },
      { id: '2', event: undefined, data: 'a\nb' },
    ]);
  });
});
