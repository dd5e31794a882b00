import { describe, expect, it } from 'vitest';
import { buildGraph } from '../src/model/graph';
import { layoutGraph, leafSize } from '../src/model/layout';
import { parseWorkflow } from '../src/model/workflow';

const text = `id: l
steps:
  - { id: a, uses: log }
  - id: fan
    parallel:
      - { id: p1, uses: log }
      - { id: p2, uses: log }
  - { id: b, uses: log }
`;

describe('layoutGraph', () => {
  const graph = buildGraph(parseWorkflow(text).model!);
  const boxes = layoutGraph(graph.nodes, graph.edges);

  it('stacks a chain top to bottom, each step centred on the widest', () => {
    const [a, fan, b] = ['steps[0]', 'steps[1]', 'steps[2]'].map(id => boxes.get(id)!);
    expect(a.y).toBe(0);
    expect(fan.y).toBe(a.height + 36);
    expect(b.y).toBe(fan.y + fan.height + 36);
    expect(fan.x).toBe(0);
    expect(a.x).toBe((fan.width - leafSize.width) / 2);
    expect(b.x).toBe(a.x);
  });

  it('lays out branches side by side inside their block (dagre)', () => {
    const [p1, p2] = ['steps[1].parallel[0]', 'steps[1].parallel[1]'].map(id => boxes.get(id)!);
    expect(p1.y).toBe(p2.y);
    expect(Math.abs(p1.x - p2.x)).toBe(leafSize.width + 28);
  });
});
