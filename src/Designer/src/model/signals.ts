// What the Send signal box starts with for a wait, so that the common cases need no typing.
import type { WaitInfo } from './runState';

/** A merged pull request for git.wait-merged (GitHub's pull_request event shape), an approval, or {}. */
export function defaultPayload(wait: Pick<WaitInfo, 'signal' | 'kind' | 'description'>): unknown {
  if (wait.kind === 'approval') return { approved: true };
  const branch = wait.signal === 'pull_request' ? /merged into (\S+)/.exec(wait.description)?.[1] : undefined;
  if (branch) {
    return { action: 'closed', pull_request: { number: 1, merged: true, mergeable_state: 'clean', merge_commit_sha: '0'.repeat(40), base: { ref: branch }, head: { ref: 'fix-the-bug' } } };
  }
  return {};
}
