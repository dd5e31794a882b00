// Which steps differ between two versions. Steps are matched by id, or by path when they have none
// (as the server's /diff does); nested steps are compared on their own, not as part of their block.
import { parse } from 'yaml';
import { allSteps, parseWorkflow, type StepInfo } from './workflow';

export type Change = 'added' | 'removed' | 'changed';

const nested = new Set(['steps', 'group', 'parallel', 'on_failure', 'finally']);

export const stepKey = (s: StepInfo) => s.id ?? s.path;

function own(step: StepInfo): string {
  return JSON.stringify(Object.entries(step.raw).filter(([k]) => !nested.has(k)).sort(([a], [b]) => a.localeCompare(b)));
}

export interface VersionDiff { before: Map<string, Change>; after: Map<string, Change>; fields: string[] }

/** Changes by step key, on each side: `before` marks removed and changed steps, `after` added and changed. */
export function diffVersions(beforeText: string, afterText: string): VersionDiff {
  const a = parseWorkflow(beforeText).model;
  const b = parseWorkflow(afterText).model;
  const stepsA = new Map((a ? allSteps(a) : []).map(s => [stepKey(s), s]));
  const stepsB = new Map((b ? allSteps(b) : []).map(s => [stepKey(s), s]));
  const before = new Map<string, Change>();
  const after = new Map<string, Change>();
  for (const [key, s] of stepsA) {
    const other = stepsB.get(key);
    if (!other) before.set(key, 'removed');
    else if (own(s) !== own(other)) { before.set(key, 'changed'); after.set(key, 'changed'); }
  }
  for (const key of stepsB.keys()) if (!stepsA.has(key)) after.set(key, 'added');
  const rootA = root(beforeText);
  const rootB = root(afterText);
  const fields = [...new Set([...Object.keys(rootA), ...Object.keys(rootB)])]
    .filter(f => f !== 'steps' && f !== 'on_failure' && JSON.stringify(rootA[f]) !== JSON.stringify(rootB[f]))
    .sort();
  return { before, after, fields };
}

function root(text: string): Record<string, unknown> {
  try {
    const value = parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
