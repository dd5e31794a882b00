// What the Send signal box starts with for a wait, so that the common cases need no typing.
import type { WaitInfo } from './runState';

const fallbackSha = '1'.repeat(40);

/** The parts of a git.wait-merged description: "a pull request merged into B (now at SHA), approved by X and Y (N approvals), with its checks passed (C, D)". */
function awaited(description: string) {
  const branch = /merged into (\S+)/.exec(description)?.[1];
  const tip = /\(now at ([0-9a-f]{40})\)/.exec(description)?.[1];
  const approvedBy = /approved by (.+?)(?: \((\d+) approvals\))?(?:, with its checks| with its checks|$)/.exec(description);
  const approvals = Number(/(\d+) approvals/.exec(description)?.[1] ?? 0);
  const reviewers = approvedBy ? approvedBy[1].split(' and ') : [];
  for (let i = reviewers.length + 1; i <= approvals; i++) reviewers.push(`reviewer-${i}`);
  const checks = /with its checks passed(?: \(([^)]*)\))?/.exec(description);
  return { branch, tip, reviewers, checks: checks ? (checks[1] ? checks[1].split(', ') : ['Gantry designer']) : [] };
}

/**
 * For git.wait-merged: GitHub's pull_request event of a merge into the awaited branch as it is on
 * origin (the step checks every merge against origin; mergeable_state "unknown", as GitHub sends
 * after a merge), an approving pull_request_review by each reviewer the step requires, and a
 * completed check_suite per required check on the head commit: an array, sent as one signal per
 * element. An approval approves; anything else starts as {}.
 */
export function defaultPayload(wait: Pick<WaitInfo, 'signal' | 'kind' | 'description'>): unknown {
  if (wait.kind === 'approval') return { approved: true };
  if (wait.signal !== 'pull_request') return {};
  const { branch, tip, reviewers, checks } = awaited(wait.description);
  if (!branch) return {};
  const head = tip ?? fallbackSha;
  const merge = {
    action: 'closed',
    pull_request: { number: 1, merged: true, mergeable: null, mergeable_state: 'unknown', merge_commit_sha: tip ?? '0'.repeat(40), base: { ref: branch }, head: { ref: 'fix-the-bug', sha: head } },
  };
  const reviews = reviewers.map(login => ({
    action: 'submitted',
    review: { state: 'approved', commit_id: head, user: { login } },
    pull_request: { number: 1, base: { ref: branch }, head: { ref: 'fix-the-bug', sha: head } },
  }));
  const suites = checks.map(name => ({ action: 'completed', check_suite: { head_sha: head, status: 'completed', conclusion: 'success', app: { slug: name === 'Gantry designer' ? 'gantry-designer' : name, name } } }));
  return reviews.length + suites.length === 0 ? merge : [merge, ...reviews, ...suites];
}

/** The signals one Send delivers: each element of a top-level array for a pull_request wait, else the payload itself. */
export function signalsToSend(signal: string, payload: unknown): unknown[] {
  return signal === 'pull_request' && Array.isArray(payload) ? payload : [payload];
}
