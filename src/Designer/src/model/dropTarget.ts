// Which node a dragged step was dropped on, and whether before, after or into it.
import type { DropPlace } from './drop';
import type { GraphNode } from './graph';
import type { Box } from './layout';

/** How close to a block's top or bottom edge a drop counts as before / after it rather than into it. */
const edgeBand = 14;

/**
 * The deepest node under point (flow coordinates) other than the dragged one and its contents.
 * Leaves: before when above their middle, else after. Blocks: before / after near their edges, else into.
 */
export function dropTargetAt(nodes: GraphNode[], boxes: Map<string, Box>, point: { x: number; y: number }, dragged: string): { id: string; place: DropPlace } | undefined {
  const byId = new Map(nodes.map(n => [n.id, n]));
  const depth = (n: GraphNode) => { let d = 0; for (let p = n.parentId; p; p = byId.get(p)?.parentId) d++; return d; };
  const absolute = (n: GraphNode): Box => {
    const own = boxes.get(n.id)!;
    const parent = n.parentId ? byId.get(n.parentId) : undefined;
    if (!parent) return own;
    const p = absolute(parent);
    return { ...own, x: own.x + p.x, y: own.y + p.y };
  };
  const within = (n: GraphNode) => { for (let p: string | undefined = n.id; p; p = byId.get(p)?.parentId) if (p === dragged) return true; return false; };

  let best: { node: GraphNode; box: Box; depth: number } | undefined;
  for (const node of nodes) {
    if (within(node) || !boxes.has(node.id)) continue;
    const box = absolute(node);
    if (point.x < box.x || point.x > box.x + box.width || point.y < box.y || point.y > box.y + box.height) continue;
    const d = depth(node);
    if (!best || d > best.depth) best = { node, box, depth: d };
  }
  if (!best) return undefined;
  const { node, box } = best;
  if (!node.container) return { id: node.id, place: point.y < box.y + box.height / 2 ? 'before' : 'after' };
  // The workflow's on_failure section is not a step: it only takes steps in.
  if (!node.step) return { id: node.id, place: 'into' };
  if (point.y < box.y + edgeBand) return { id: node.id, place: 'before' };
  if (point.y > box.y + box.height - edgeBand) return { id: node.id, place: 'after' };
  return { id: node.id, place: 'into' };
}
