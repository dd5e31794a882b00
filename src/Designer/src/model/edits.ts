// Edits made in the graph or the form, applied to the YAML text so comments and layout survive.
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq, type Document } from 'yaml';
import type { Keys } from './paths';

function edit(text: string, change: (doc: Document) => void): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`fix the YAML first: ${doc.errors[0].message.split('\n')[0]}`);
  change(doc);
  return doc.toString({ lineWidth: 0 });
}

function sequenceAt(doc: Document, seqKeys: Keys): YAMLSeq {
  let seq = doc.getIn(seqKeys, true);
  if (!isSeq(seq)) {
    seq = new YAMLSeq();
    doc.setIn(seqKeys, seq);
  }
  return seq as YAMLSeq;
}

/** A step as block YAML, one key a line, as people write steps: never `[ { group: [] } ]`. */
function blockNode(doc: Document, step: Record<string, unknown>) {
  const node = doc.createNode(step);
  if (isMap(node)) node.flow = false;
  return node;
}

function split(keys: Keys): [Keys, number] {
  return [keys.slice(0, -1), keys[keys.length - 1] as number];
}

/** Inserts a step into the sequence at seqKeys (created if missing) at index (end by default). */
export function addStep(text: string, seqKeys: Keys, step: Record<string, unknown>, index?: number): string {
  return edit(text, doc => {
    const seq = sequenceAt(doc, seqKeys);
    // A step added to an empty flow sequence (`steps: []`) turns the list into block style.
    if (seq.items.length === 0) seq.flow = false;
    seq.items.splice(index ?? seq.items.length, 0, blockNode(doc, step));
  });
}

export function removeStep(text: string, keys: Keys): string {
  return edit(text, doc => {
    const [seqKeys, index] = split(keys);
    sequenceAt(doc, seqKeys).items.splice(index, 1);
  });
}

/** Moves a step up (-1) or down (+1) among its siblings; out of range is a no-op. */
export function moveStep(text: string, keys: Keys, delta: number): string {
  return edit(text, doc => {
    const [seqKeys, index] = split(keys);
    const items = sequenceAt(doc, seqKeys).items;
    const to = index + delta;
    if (to < 0 || to >= items.length) return;
    const [item] = items.splice(index, 1);
    items.splice(to, 0, item);
  });
}

/** Moves a step from one sequence to another (e.g. into a group), at index (end by default). */
export function relocateStep(text: string, keys: Keys, targetSeqKeys: Keys, index?: number): string {
  return edit(text, doc => {
    const [seqKeys, from] = split(keys);
    // Take both sequences before changing anything: removing the step may shift the target's keys.
    const source = sequenceAt(doc, seqKeys);
    const target = sequenceAt(doc, targetSeqKeys);
    const [node] = source.items.splice(from, 1);
    const at = index === undefined ? target.items.length : source === target && index > from ? index - 1 : index;
    target.items.splice(at, 0, node);
  });
}

/** Replaces the step with a block (group or parallel) holding it. */
export function wrapStep(text: string, keys: Keys, block: 'group' | 'parallel'): string {
  return edit(text, doc => {
    const [seqKeys, index] = split(keys);
    const items = sequenceAt(doc, seqKeys).items;
    const wrapper = new YAMLMap();
    const inner = new YAMLSeq();
    inner.items.push(items[index]);
    wrapper.set(block, inner);
    items[index] = wrapper;
  });
}

/** Sets (or with undefined removes) a field of a step, e.g. ['with', 'tag'] or ['id']. */
export function setStepField(text: string, keys: Keys, field: Keys, value: unknown): string {
  return edit(text, doc => {
    const path = [...keys, ...field];
    if (value === undefined || value === '') {
      doc.deleteIn(path);
      const parent = doc.getIn(path.slice(0, -1), true);
      if (field.length > 1 && isMap(parent) && parent.items.length === 0) doc.deleteIn(path.slice(0, -1));
    } else {
      doc.setIn(path, doc.createNode(value));
    }
  });
}
