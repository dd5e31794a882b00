// What the Send signal box starts with for a wait, so that the common cases need no typing.
import type { WaitInfo } from './runState';

const headSha = '1'.repeat(40);

/**
 * For git.wait-merged: GitHub's pull_request event of a merge into the awaited branch (mergeable_state
 * "unknown", as GitHub sends after a merge) and, when the step also requires checks, a completed
 * check_suite on the pull request's head commit: an array, sent as one signal per element. An
 * approval approves; anything else starts as {}.
 */
export function defaultPayload(wait: Pick<WaitInfo, 'signal' | 'kind' | 'description'>): unknown {
  if (wait.kind === 'approval') return { approved: true };
  const branch = wait.signal === 'pull_request' ? /merged into (\S+)/.exec(wait.description)?.[1] : undefined;
  if (!branch) return {};
  const merge = {
    action: 'closed',
    pull_request: { number: 1, merged: true, mergeable: null, mergeable_state: 'unknown', merge_commit_sha: '0'.repeat(40), base: { ref: branch }, head: { ref: 'fix-the-bug', sha: headSha } },
  };
  if (!/with its checks passed/.test(wait.description)) return merge;
  const checks = { action: 'completed', check_suite: { head_sha: headSha, status: 'completed', conclusion: 'success', app: { slug: 'gantry-designer', name: 'Gantry designer' } } };
  return [merge, checks];
}

/** The signals one Send delivers: each element of a top-level array for a pull_request wait, else the payload itself. */
export function signalsToSend(signal: string, payload: unknown): unknown[] {
  return signal === 'pull_request' && Array.isArray(payload) ? payload : [payload];
}
