import { describe, expect, it } from 'vitest';
import { buildGraph } from '../src/model/graph';
import { layoutGraph, leafSize } from '../src/model/layout';
import { parseWorkflow } from '../src/model/workflow';
import { generateWorkflow } from '../bench/generate';

const text = `id: g
steps:
  - id: tag
    uses: git.latest-tag
  - id: both
    group:
      - id: a
        uses: lb.flip
      - id: b
        uses: deploy.release
    on_failure:
      - id: undo
        uses: lb.restore
  - id: fan
    parallel:
      - { id: p1, uses: log }
      - { id: p2, uses: log }
  - id: call
    uses: workflow.call
    with: { workflow: rolling-deploy }
on_failure:
  - uses: lb.restore
`;

describe('buildGraph', () => {
  const graph = buildGraph(parseWorkflow(text).model!);

  it('makes blocks containers and nests their steps', () => {
    expect(graph.nodes.map(n => [n.id, n.kind, n.parentId ?? '', n.container])).toEqual([
      ['steps[0]', 'activity', '', false],
      ['steps[1]', 'group', '', true],
      ['steps[1].group[0]', 'activity', 'steps[1]', false],
      ['steps[1].group[1]', 'activity', 'steps[1]', false],
      ['steps[1].on_failure[0]', 'activity', 'steps[1]', false],
      ['steps[2]', 'parallel', '', true],
      ['steps[2].parallel[0]', 'activity', 'steps[2]', false],
      ['steps[2].parallel[1]', 'activity', 'steps[2]', false],
      ['steps[3]', 'call', '', false],
      ['on_failure', 'section', '', true],
      ['on_failure[0]', 'activity', 'on_failure', false],
    ]);
    expect(graph.nodes.find(n => n.id === 'steps[3]')!.detail).toBe('workflow rolling-deploy');
  });

  it('chains steps in order, leaves parallel branches unchained and links failure handlers', () => {
    expect(graph.edges.map(e => `${e.source} -> ${e.target} (${e.kind})`)).toEqual([
      'steps[1].group[0] -> steps[1].group[1] (next)',
      'steps[1].group[1] -> steps[1].on_failure[0] (failure)',
      'steps[0] -> steps[1] (next)',
      'steps[1] -> steps[2] (next)',
      'steps[2] -> steps[3] (next)',
      'steps[3] -> on_failure (failure)',
    ]);
  });
});

describe('layoutGraph', () => {
  it('places steps top to bottom and sizes blocks around their children', () => {
    const graph = buildGraph(parseWorkflow(text).model!);
    const boxes = layoutGraph(graph.nodes, graph.edges);
    const top = ['steps[0]', 'steps[1]', 'steps[2]', 'steps[3]'].map(id => boxes.get(id)!);
    for (let i = 1; i < top.length; i++) expect(top[i].y).toBeGreaterThanOrEqual(top[i - 1].y + top[i - 1].height);
    const group = boxes.get('steps[1]')!;
    for (const id of ['steps[1].group[0]', 'steps[1].group[1]', 'steps[1].on_failure[0]']) {
      const child = boxes.get(id)!;
      expect(child.x).toBeGreaterThanOrEqual(0);
      expect(child.y).toBeGreaterThan(0);
      expect(child.x + child.width).toBeLessThanOrEqual(group.width);
      expect(child.y + child.height).toBeLessThanOrEqual(group.height);
    }
    const [p1, p2] = [boxes.get('steps[2].parallel[0]')!, boxes.get('steps[2].parallel[1]')!];
    expect(p1.y).toBe(p2.y);
    expect(Math.abs(p1.x - p2.x)).toBeGreaterThanOrEqual(leafSize.width);
  });

  it('lays out every node of a generated 200-step workflow without overlaps among siblings', () => {
    const graph = buildGraph(parseWorkflow(generateWorkflow(200)).model!);
    const boxes = layoutGraph(graph.nodes, graph.edges);
    expect(boxes.size).toBe(graph.nodes.length);
    const byParent = new Map<string | undefined, string[]>();
    for (const n of graph.nodes) byParent.set(n.parentId, [...(byParent.get(n.parentId) ?? []), n.id]);
    for (const ids of byParent.values()) {
      const list = ids.map(id => boxes.get(id)!);
      for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) {
        const [a, b] = [list[i], list[j]];
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap).toBe(false);
      }
    }
  });
});
