// Auto layout with dagre, one level at a time: a block is laid out inside, then sized to fit and
// placed among its siblings. Positions come out relative to the parent, as React Flow wants them.
import dagre from '@dagrejs/dagre';
import type { GraphEdge, GraphNode } from './graph';

export interface Box { x: number; y: number; width: number; height: number }

export const leafSize = { width: 220, height: 58 };
const padding = { side: 20, top: 40, bottom: 20 };
const emptyBlock = { width: 220, height: 90 };
const rankSep = 36;

export function layoutGraph(nodes: GraphNode[], edges: GraphEdge[]): Map<string, Box> {
  const boxes = new Map<string, Box>();
  const children = new Map<string | undefined, GraphNode[]>();
  for (const n of nodes) children.set(n.parentId, [...(children.get(n.parentId) ?? []), n]);
  const parentOf = new Map(nodes.map(n => [n.id, n.parentId]));

  const level = (parentId: string | undefined): { width: number; height: number } => {
    const members = children.get(parentId) ?? [];
    const sizes = new Map(members.map(n => [n.id, n.container ? block(n.id) : leafSize]));
    const inner = edges.filter(e => parentOf.get(e.source) === parentId && parentOf.get(e.target) === parentId);
    // Most levels are one chain of steps; stacking them is what dagre would do, without its
    // super-linear cost on long chains (a 160-step chain takes dagre most of a second).
    const order = chainOrder(members, inner);
    return order ? stack(order, sizes) : dagreLevel(members, inner, sizes);
  };

  const stack = (order: string[], sizes: Map<string, { width: number; height: number }>) => {
    const width = Math.max(...order.map(id => sizes.get(id)!.width));
    let y = 0;
    for (const id of order) {
      const size = sizes.get(id)!;
      boxes.set(id, { x: (width - size.width) / 2, y, width: size.width, height: size.height });
      y += size.height + rankSep;
    }
    return { width, height: y - rankSep };
  };

  const dagreLevel = (members: GraphNode[], inner: GraphEdge[], sizes: Map<string, { width: number; height: number }>) => {
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: rankSep, marginx: 0, marginy: 0 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of members) g.setNode(n.id, { ...sizes.get(n.id)! });
    for (const e of inner) g.setEdge(e.source, e.target);
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

/** The members in order when the edges link them into one path (a single member counts), else undefined. */
function chainOrder(members: GraphNode[], edges: GraphEdge[]): string[] | undefined {
  if (members.length === 0 || edges.length !== members.length - 1) return undefined;
  const next = new Map<string, string>();
  const hasPrevious = new Set<string>();
  for (const e of edges) {
    if (next.has(e.source) || hasPrevious.has(e.target)) return undefined;
    next.set(e.source, e.target);
    hasPrevious.add(e.target);
  }
  const starts = members.filter(m => !hasPrevious.has(m.id));
  if (starts.length !== 1) return undefined;
  const order: string[] = [];
  for (let id: string | undefined = starts[0].id; id !== undefined && order.length <= members.length; id = next.get(id)) order.push(id);
  return order.length === members.length ? order : undefined;
}
