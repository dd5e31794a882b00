// Big workflows stay readable: blocks can be collapsed into one node, and some are by default.
import type { GraphEdge, GraphNode, WorkflowGraph } from './graph';

/** A graph with more nodes than this starts with every block collapsed. */
export const collapseAllAbove = 60;
/** A block holding more steps than this starts collapsed in any graph. */
export const collapseBlockAbove = 12;

/** How many nodes each block holds, at any depth. */
export function descendantCounts(nodes: GraphNode[]): Map<string, number> {
  const parentOf = new Map(nodes.map(n => [n.id, n.parentId]));
  const counts = new Map<string, number>();
  for (const n of nodes) {
    for (let p = n.parentId; p !== undefined; p = parentOf.get(p)) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  return counts;
}

/** The blocks that start collapsed: all of them in a big graph, else only the big blocks. */
export function defaultCollapsed(graph: WorkflowGraph): Set<string> {
  const counts = descendantCounts(graph.nodes);
  const all = graph.nodes.length > collapseAllAbove;
  return new Set([...counts].filter(([, count]) => all || count > collapseBlockAbove).map(([id]) => id));
}

/** The ids of the node's enclosing blocks, innermost first. */
export function ancestorsOf(nodes: GraphNode[], id: string): string[] {
  const parentOf = new Map(nodes.map(n => [n.id, n.parentId]));
  const out: string[] = [];
  for (let p = parentOf.get(id); p !== undefined; p = parentOf.get(p)) out.push(p);
  return out;
}

export interface VisibleNode extends GraphNode {
  /** Set on a collapsed block: how many nodes it hides. */
  hidden?: number;
  /** True on a block that can be collapsed or expanded. */
  block?: boolean;
}

/** The graph as drawn: the insides of collapsed blocks left out, a collapsed block drawn as a leaf. */
export function visibleGraph(graph: WorkflowGraph, collapsed: ReadonlySet<string>): { nodes: VisibleNode[]; edges: GraphEdge[] } {
  const counts = descendantCounts(graph.nodes);
  const shown = new Set<string>();
  const nodes: VisibleNode[] = [];
  for (const n of graph.nodes) {
    // Parents come before their children in buildGraph's order, so one pass decides.
    if (n.parentId !== undefined && (!shown.has(n.parentId) || collapsed.has(n.parentId))) continue;
    shown.add(n.id);
    const inside = counts.get(n.id) ?? 0;
    nodes.push(collapsed.has(n.id) && inside > 0 ? { ...n, container: false, hidden: inside, block: true } : { ...n, block: inside > 0 });
  }
  return { nodes, edges: graph.edges.filter(e => shown.has(e.source) && shown.has(e.target)) };
}
