import { describe, expect, it } from 'vitest';
import { generateWorkflow } from '../bench/generate';
import { defaultCollapsed, visibleGraph } from '../src/model/collapse';
import { buildGraph } from '../src/model/graph';
import { layoutGraph } from '../src/model/layout';
import { follow, readableFit, readableZoom } from '../src/model/viewport';
import { parseWorkflow } from '../src/model/workflow';

const graphOf = (text: string) => buildGraph(parseWorkflow(text).model!);

describe('collapsing blocks', () => {
  it('starts a small workflow open and a big one with every block collapsed', () => {
    const small = graphOf(generateWorkflow(20));
    expect(defaultCollapsed(small).size).toBe(0);
    const big = graphOf(generateWorkflow(200));
    const collapsed = defaultCollapsed(big);
    expect([...collapsed].sort()).toEqual(big.nodes.filter(n => n.container).map(n => n.id).sort());
    const visible = visibleGraph(big, collapsed);
    expect(visible.nodes.every(n => n.parentId === undefined || n.parentId === 'on_failure')).toBe(true);
    const group = big.nodes.find(n => n.kind === 'group')!;
    expect(visible.nodes.find(n => n.id === group.id)).toMatchObject({ container: false, hidden: 3, block: true });
    expect(visible.edges.every(e => visible.nodes.some(n => n.id === e.source) && visible.nodes.some(n => n.id === e.target))).toBe(true);
  });
});

describe('camera', () => {
  it('fits a short graph whole and shows a long one from the top at a readable zoom', () => {
    const view = { width: 800, height: 600 };
    expect(readableFit({ x: 0, y: 0, width: 220, height: 300 }, view)).toEqual({ x: 290, y: 150, zoom: 1 });
    const big = graphOf(generateWorkflow(200));
    const boxes = layoutGraph(big.nodes, big.edges);
    const top = big.nodes.filter(n => !n.parentId).map(n => boxes.get(n.id)!);
    const tall = { x: 0, y: 0, width: 400, height: Math.max(...top.map(b => b.y + b.height)) };
    const fit = readableFit(tall, view);
    expect(fit.zoom).toBe(readableZoom);
    expect(fit.y).toBe(24);
  });

  it('moves only when the followed node leaves the view', () => {
    const view = { width: 800, height: 600 };
    const at = { x: 0, y: 0, zoom: 1 };
    expect(follow({ x: 100, y: 100, width: 220, height: 58 }, at, view)).toBeUndefined();
    expect(follow({ x: 100, y: 900, width: 220, height: 58 }, at, view)).toEqual({ x: 0, y: -700, zoom: 1 });
  });
});
