import { describe, expect, it } from 'vitest';
import { defaultPayload } from '../src/model/signals';

describe('defaultPayload', () => {
  it('offers a merged pull request into the branch a git.wait-merged step waits for', () => {
    expect(defaultPayload({ signal: 'pull_request', kind: 'webhook', description: 'a pull request merged into hotfix/3.0.1' })).toEqual({
      action: 'closed', pull_request: { number: 1, merged: true, mergeable_state: 'clean', merge_commit_sha: '0000000000000000000000000000000000000000', base: { ref: 'hotfix/3.0.1' }, head: { ref: 'fix-the-bug' } },
    });
  });

  it('approves an approval and sends an empty object otherwise', () => {
    expect(defaultPayload({ signal: 'approve', kind: 'approval', description: 'Go ahead?' })).toEqual({ approved: true });
    expect(defaultPayload({ signal: 'go', kind: 'signal', description: '' })).toEqual({});
  });
});
