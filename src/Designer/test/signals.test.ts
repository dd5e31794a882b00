import { describe, expect, it } from 'vitest';
import { defaultPayload, signalsToSend } from '../src/model/signals';

const merge = {
  action: 'closed',
  pull_request: {
    number: 1, merged: true, mergeable: null, mergeable_state: 'unknown', merge_commit_sha: '0000000000000000000000000000000000000000',
    base: { ref: 'hotfix/3.0.1' }, head: { ref: 'fix-the-bug', sha: '1111111111111111111111111111111111111111' },
  },
};

describe('defaultPayload', () => {
  it('offers a merged pull request into the branch a git.wait-merged step waits for', () => {
    expect(defaultPayload({ signal: 'pull_request', kind: 'webhook', description: 'a pull request merged into hotfix/3.0.1' })).toEqual(merge);
  });

  it('adds a passing check suite on the head commit when the step requires checks', () => {
    expect(defaultPayload({ signal: 'pull_request', kind: 'webhook', description: 'a pull request merged into hotfix/3.0.1 with its checks passed' })).toEqual([
      merge,
      { action: 'completed', check_suite: { head_sha: '1111111111111111111111111111111111111111', status: 'completed', conclusion: 'success', app: { slug: 'gantry-designer', name: 'Gantry designer' } } },
    ]);
  });

  it('names the branch as it is on origin, and sends each reviewer\'s approval and each named check', () => {
    const tip = 'abcdef0123456789abcdef0123456789abcdef01';
    const head = { ref: 'fix-the-bug', sha: tip };
    expect(defaultPayload({ signal: 'pull_request', kind: 'webhook', description: `a pull request merged into hotfix/3.0.1 (now at ${tip}), approved by pr-nightmare, with its checks passed (ci/test-bot)` })).toEqual([
      { ...merge, pull_request: { ...merge.pull_request, merge_commit_sha: tip, head } },
      { action: 'submitted', review: { state: 'approved', commit_id: tip, user: { login: 'pr-nightmare' } }, pull_request: { number: 1, base: { ref: 'hotfix/3.0.1' }, head } },
      { action: 'completed', check_suite: { head_sha: tip, status: 'completed', conclusion: 'success', app: { slug: 'ci/test-bot', name: 'ci/test-bot' } } },
    ]);
  });

  it('approves an approval and sends an empty object otherwise', () => {
    expect(defaultPayload({ signal: 'approve', kind: 'approval', description: 'Go ahead?' })).toEqual({ approved: true });
    expect(defaultPayload({ signal: 'go', kind: 'signal', description: '' })).toEqual({});
  });
});

describe('signalsToSend', () => {
  it('sends each element of an array as its own pull_request signal, and any other payload as is', () => {
    expect(signalsToSend('pull_request', [1, 2])).toEqual([1, 2]);
    expect(signalsToSend('pull_request', { a: 1 })).toEqual([{ a: 1 }]);
    expect(signalsToSend('go', [1, 2])).toEqual([[1, 2]]);
  });
});
