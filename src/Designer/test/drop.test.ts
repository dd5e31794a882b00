import { describe, expect, it } from 'vitest';
import { dropStep } from '../src/model/drop';
import { dropTargetAt } from '../src/model/dropTarget';
import { buildGraph } from '../src/model/graph';
import { layoutGraph } from '../src/model/layout';
import { parseWorkflow } from '../src/model/workflow';

const text = `id: d
steps:
  - id: a
    uses: log
  - id: b
    uses: log
  - id: blk
    group:
      - id: g1
        uses: log
  - id: c
    uses: log
on_failure:
  - id: undo
    uses: lb.restore
`;
const model = parseWorkflow(text).model!;
const ids = (t: string) => parseWorkflow(t).model!.steps.map(s => s.id);

describe('dropStep', () => {
  it('moves a step after a later sibling', () => {
    const moved = dropStep(text, model, 'steps[0]', 'steps[3]', 'after');
    expect(ids(moved.text)).toEqual(['b', 'blk', 'c', 'a']);
    expect(moved.path).toBe('steps[3]');
  });

  it('moves a step before an earlier sibling', () => {
    const moved = dropStep(text, model, 'steps[3]', 'steps[0]', 'before');
    expect(ids(moved.text)).toEqual(['c', 'a', 'b', 'blk']);
    expect(moved.path).toBe('steps[0]');
  });

  it('nests a step into a block at its end', () => {
    const moved = dropStep(text, model, 'steps[0]', 'steps[2]', 'into');
    const after = parseWorkflow(moved.text).model!;
    expect(after.steps.map(s => s.id)).toEqual(['b', 'blk', 'c']);
    expect(after.steps[1].sections[0].steps.map(s => s.id)).toEqual(['g1', 'a']);
    expect(moved.path).toBe('steps[1].group[1]');
  });

  it('takes a step out of a block next to a top-level step', () => {
    const moved = dropStep(text, model, 'steps[2].group[0]', 'steps[0]', 'after');
    const after = parseWorkflow(moved.text).model!;
    expect(after.steps.map(s => s.id)).toEqual(['a', 'g1', 'b', 'blk', 'c']);
    expect(after.steps[3].sections[0].steps).toEqual([]);
    expect(moved.path).toBe('steps[1]');
  });

  it('moves a step into the workflow on_failure', () => {
    const moved = dropStep(text, model, 'steps[1]', 'on_failure', 'into');
    expect(parseWorkflow(moved.text).model!.onFailure.map(s => s.id)).toEqual(['undo', 'b']);
    expect(moved.path).toBe('on_failure[1]');
  });

  it('leaves the text alone when dropped where it already is', () => {
    expect(dropStep(text, model, 'steps[1]', 'steps[2]', 'before')).toEqual({ text, path: 'steps[1]' });
  });

  it('refuses to drop a block into itself or onto a plain step as a block', () => {
    expect(() => dropStep(text, model, 'steps[2]', 'steps[2].group[0]', 'after')).toThrow('a step cannot be dropped into itself');
    expect(() => dropStep(text, model, 'steps[0]', 'steps[1]', 'into')).toThrow('b is not a block (group, parallel or foreach)');
  });
});

describe('dropTargetAt', () => {
  const graph = buildGraph(model);
  const boxes = layoutGraph(graph.nodes, graph.edges);
  const centre = (id: string, dy = 0) => {
    let x = 0; let y = 0;
    for (let n = graph.nodes.find(g => g.id === id); n; n = graph.nodes.find(g => g.id === n!.parentId)) { x += boxes.get(n.id)!.x; y += boxes.get(n.id)!.y; }
    const own = boxes.get(id)!;
    return { x: x + own.width / 2, y: y + own.height / 2 + dy };
  };

  it('drops before a leaf in its upper half and after it in its lower half', () => {
    expect(dropTargetAt(graph.nodes, boxes, centre('steps[1]', -5), 'steps[0]')).toEqual({ id: 'steps[1]', place: 'before' });
    expect(dropTargetAt(graph.nodes, boxes, centre('steps[1]', 5), 'steps[0]')).toEqual({ id: 'steps[1]', place: 'after' });
  });

  it('drops into a block away from its edges, onto its inner step over that step', () => {
    const block = boxes.get('steps[2]')!;
    const inner = centre('steps[2].group[0]');
    expect(dropTargetAt(graph.nodes, boxes, { x: inner.x, y: block.y + 25 }, 'steps[0]')).toEqual({ id: 'steps[2]', place: 'into' });
    expect(dropTargetAt(graph.nodes, boxes, { x: inner.x, y: block.y + 5 }, 'steps[0]')).toEqual({ id: 'steps[2]', place: 'before' });
    expect(dropTargetAt(graph.nodes, boxes, inner, 'steps[0]')).toEqual({ id: 'steps[2].group[0]', place: 'after' });
  });

  it('ignores the dragged node itself and finds nothing in empty space', () => {
    expect(dropTargetAt(graph.nodes, boxes, centre('steps[0]'), 'steps[0]')).toBeUndefined();
    expect(dropTargetAt(graph.nodes, boxes, { x: -500, y: -500 }, 'steps[0]')).toBeUndefined();
  });
});
