// Auto layout with dagre, one level at a time: a block is laid out inside, then sized to fit and
// placed among its siblings. Positions come out relative to the parent, as React Flow wants them.
import dagre from '@dagrejs/dagre';
import type { GraphEdge, GraphNode } from './graph';

export interface Box { x: number; y: number; width: number; height: number }

export const leafSize = { width: 220, height: 58 };
const padding = { side: 20, top: 40, bottom: 20 };
const emptyBlock = { width: 220, height: 90 };

export function layoutGraph(nodes: GraphNode[], edges: GraphEdge[]): Map<string, Box> {
  const boxes = new Map<string, Box>();
  const children = new Map<string | undefined, GraphNode[]>();
  for (const n of nodes) children.set(n.parentId, [...(children.get(n.parentId) ?? []), n]);
  const parentOf = new Map(nodes.map(n => [n.id, n.parentId]));

  const level = (parentId: string | undefined): { width: number; height: number } => {
    const members = children.get(parentId) ?? [];
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 36, marginx: 0, marginy: 0 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of members) {
      const size = n.container ? block(n.id) : leafSize;
      g.setNode(n.id, { width: size.width, height: size.height });
    }
    for (const e of edges) {
      if (parentOf.get(e.source) === parentId && parentOf.get(e.target) === parentId) g.setEdge(e.source, e.target);
    }
    dagre.layout(g);
    let width = 0;
    let height = 0;
    for (const n of members) {
      const p = g.node(n.id);
      const box = { x: p.x - p.width / 2, y: p.y - p.height / 2, width: p.width, height: p.height };
      boxes.set(n.id, box);
      width = Math.max(width, box.x + box.width);
      height = Math.max(height, box.y + box.height);
    }
    return { width, height };
  };

  const block = (id: string) => {
    if (!(children.get(id)?.length)) return emptyBlock;
    const inner = level(id);
    for (const child of children.get(id)!) {
      const b = boxes.get(child.id)!;
      b.x += padding.side;
      b.y += padding.top;
    }
    return { width: Math.max(inner.width + 2 * padding.side, emptyBlock.width), height: inner.height + padding.top + padding.bottom };
  };

  level(undefined);
  return boxes;
}
