// A step dropped on another node of the graph: where it goes in the YAML.
import { relocateStep } from './edits';
import { onFailureNodeId } from './graph';
import type { Keys } from './paths';
import { allSteps, type WorkflowModel } from './workflow';

/** before / after a sibling, or into a block (its main section, at the end). */
export type DropPlace = 'before' | 'after' | 'into';

/** Moves the step at draggedPath relative to the node targetPath; returns the new text and the step's new path. */
export function dropStep(text: string, model: WorkflowModel, draggedPath: string, targetPath: string, place: DropPlace): { text: string; path: string } {
  const steps = allSteps(model);
  const dragged = steps.find(s => s.path === draggedPath);
  if (!dragged) throw new Error(`no step at ${draggedPath}`);
  if (targetPath === draggedPath || isInside(targetPath, draggedPath)) throw new Error('a step cannot be dropped into itself');

  let seq: Keys;
  let index: number;
  if (targetPath === onFailureNodeId) {
    seq = ['on_failure'];
    index = model.onFailure.length;
  } else {
    const target = steps.find(s => s.path === targetPath);
    if (!target) throw new Error(`no step at ${targetPath}`);
    if (place === 'into') {
      if (!target.sections.length) throw new Error(`${target.id ?? target.path} is not a block (group, parallel or foreach)`);
      seq = [...target.keys, target.sections[0].name];
      index = target.sections[0].steps.length;
    } else {
      seq = target.keys.slice(0, -1);
      index = target.index + (place === 'after' ? 1 : 0);
    }
  }

  const sameSeq = sameKeys(seq, dragged.keys.slice(0, -1));
  const finalIndex = sameSeq && index > dragged.index ? index - 1 : index;
  if (sameSeq && finalIndex === dragged.index) return { text, path: draggedPath };
  // Removing the dragged step shifts later siblings, and so the target's own keys, when it sits before them.
  const shiftedSeq = shiftAfterRemoval(seq, dragged.keys);
  return { text: relocateStep(text, dragged.keys, seq, index), path: toPathString([...shiftedSeq, finalIndex]) };
}

function isInside(path: string, ancestor: string): boolean {
  return path.startsWith(`${ancestor}.`) || path.startsWith(`${ancestor}[`);
}

function sameKeys(a: Keys, b: Keys): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

function shiftAfterRemoval(seq: Keys, removed: Keys): Keys {
  const parent = removed.slice(0, -1);
  const removedIndex = removed[removed.length - 1] as number;
  if (seq.length <= parent.length || !sameKeys(seq.slice(0, parent.length), parent)) return seq;
  const next = seq[parent.length];
  if (typeof next !== 'number' || next <= removedIndex) return seq;
  return [...seq.slice(0, parent.length), next - 1, ...seq.slice(parent.length + 1)];
}

function toPathString(keys: Keys): string {
  return keys.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}
