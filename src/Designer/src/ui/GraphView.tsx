// The workflow graph (React Flow): steps as nodes, blocks as containers, laid out with dagre.
// Nodes keep their identity across updates: a node object is replaced only when something it
// shows changed, and every node carries its size, so React Flow never has to measure a node again
// (a node it must re-measure is hidden until then: the run view blanked on every event).
import { applyNodeChanges, Background, Controls, Handle, MarkerType, MiniMap, Position, ReactFlow, ReactFlowProvider, useReactFlow, type Edge, type Node, type NodeChange, type NodeProps } from '@xyflow/react';
import { createContext, memo, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { ancestorsOf, defaultCollapsed, visibleGraph, type VisibleNode } from '../model/collapse';
import type { DropPlace } from '../model/drop';
import { dropTargetAt } from '../model/dropTarget';
import type { WorkflowGraph } from '../model/graph';
import { layoutGraph, type Box } from '../model/layout';
import { absoluteBox, boundsOf, follow, readableFit } from '../model/viewport';

/** How a page marks a node: plain values, so an unchanged decoration leaves the node object as it was. */
export interface NodeDecoration { className?: string; badge?: string; badgeClass?: string; badgeLabel?: string; title?: string }

interface StepData extends Record<string, unknown> {
  label: string; detail?: string; kind: string; container: boolean; selected: boolean; selectable: boolean;
  decoration?: NodeDecoration; link?: { text: string; href: string };
  /** Set on blocks: whether collapsed and how many nodes that hides. */
  block?: { collapsed: boolean; hidden: number };
}

/** Callbacks by node id, so node data holds no functions that change each render. */
const GraphActions = createContext<{ select?: (id: string) => void; toggle: (id: string) => void }>({ toggle: () => {} });

const StepNode = memo(({ id, data }: NodeProps<Node<StepData>>) => {
  const actions = useContext(GraphActions);
  const d = data.decoration;
  return (
    <div className={`gnode kind-${data.kind} ${data.container ? 'container' : 'leaf'} ${data.block?.collapsed ? 'collapsed' : ''} ${data.selected ? 'selected' : ''} ${d?.className ?? ''}`} title={d?.title} data-label={data.label}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className="gnode-head">
        {data.selectable && actions.select
          ? <button type="button" className="gnode-label" onClick={() => actions.select!(id)} aria-pressed={data.selected}>{kindIcon[data.kind] ?? ''} {data.label}</button>
          : <span className="gnode-label">{kindIcon[data.kind] ?? ''} {data.label}</span>}
        {d?.badge && <span className={`badge ${d.badgeClass ?? ''}`} aria-label={d.badgeLabel}>{d.badge}</span>}
        {data.block && (
          <button type="button" className="gnode-toggle" aria-expanded={!data.block.collapsed} aria-label={`${data.block.collapsed ? 'Expand' : 'Collapse'} ${data.label}`} onClick={() => actions.toggle(id)}>
            {data.block.collapsed ? '▸' : '▾'}
          </button>
        )}
      </div>
      {data.block?.collapsed ? <div className="gnode-detail">{data.block.hidden} step{data.block.hidden === 1 ? '' : 's'} inside</div> : data.detail && <div className="gnode-detail">{data.detail}</div>}
      {data.link && <a className="gnode-link" href={data.link.href}>{data.link.text}</a>}
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
});

const kindIcon: Record<string, string> = { group: '▣', parallel: '⇉', foreach: '↻', call: '↗', wait: '⏸', section: '⚠' };
const nodeTypes = { step: StepNode };
/** Above this many drawn nodes only those in view are rendered, and a minimap shows the whole. */
const bigGraph = 40;

export interface GraphViewProps {
  graph: WorkflowGraph;
  selected?: string;
  onSelect?: (id: string) => void;
  decorate?: (id: string) => NodeDecoration | undefined;
  linkFor?: (id: string) => { text: string; href: string } | undefined;
  label: string;
  /** Set to let steps be dragged: before / after another step, or into a block. */
  onDrop?: (dragged: string, target: string, place: DropPlace) => void;
  /** A node to keep in view (the selected or the running step): the view moves only when it is out of sight. */
  focus?: string;
}

export function GraphView(props: GraphViewProps) {
  return <ReactFlowProvider><Inner {...props} /></ReactFlowProvider>;
}

function Inner({ graph, selected, onSelect, decorate, linkFor, label, onDrop, focus }: GraphViewProps) {
  const flow = useReactFlow();
  const collapsed = useCollapsed(graph, [selected, focus]);
  const visible = useMemo(() => visibleGraph(graph, collapsed.set), [graph, collapsed.set]);
  const boxes = useMemo(() => layoutGraph(visible.nodes, visible.edges), [visible]);
  const nodes = useStableNodes(visible.nodes, boxes, n => ({
    label: n.label, detail: n.detail, kind: n.kind, container: n.container, selected: n.id === selected, selectable: !!n.step,
    decoration: decorate?.(n.id), link: linkFor?.(n.id), block: n.block ? { collapsed: n.hidden !== undefined, hidden: n.hidden ?? 0 } : undefined,
  }), !!onDrop);

  // The nodes React Flow holds: ours, plus a dragged node's position until the drop; the YAML edit
  // then rebuilds the graph (or the node snaps back). Kept in step with `nodes` during render, not
  // in an effect, so no frame shows stale nodes.
  const [shown, setShown] = useState(nodes.list);
  const [source, setSource] = useState(nodes.list);
  if (source !== nodes.list) { setSource(nodes.list); setShown(nodes.list); }
  const onNodesChange = useCallback((changes: NodeChange<Node<StepData>>[]) => setShown(ns => {
    const next = applyNodeChanges(changes, ns);
    // A measured size is kept with the node, so the next update starts from it.
    for (const c of changes) if (c.type === 'dimensions') nodes.remember(next.find(n => n.id === c.id));
    return next;
  }), [nodes]);
  const onNodeDragStop = useCallback((event: MouseEvent | TouchEvent, node: Node) => {
    const pointer = 'changedTouches' in event ? event.changedTouches[0] : event;
    const target = dropTargetAt(visible.nodes, boxes, flow.screenToFlowPosition({ x: pointer.clientX, y: pointer.clientY }), node.id);
    setShown(nodes.list);
    if (target && onDrop) onDrop(node.id, target.id, target.place);
  }, [visible, boxes, flow, nodes, onDrop]);
  const edges = useMemo<Edge[]>(() => visible.edges.map(e => ({
    id: e.id, source: e.source, target: e.target, label: e.label, className: `edge-${e.kind}`,
    markerEnd: { type: MarkerType.ArrowClosed }, animated: false, focusable: false,
  })), [visible]);

  const container = useRef<HTMLDivElement>(null);
  const settled = useCamera(container, graph.nodes.length, visible.nodes, boxes, focus);
  const actions = useMemo(() => ({ select: onSelect, toggle: collapsed.toggle }), [onSelect, collapsed.toggle]);
  const big = visible.nodes.length > bigGraph;

  return (
    <div className="graph" role="group" aria-label={label} data-settled={settled} ref={container}>
      {graph.nodes.length === 0
        ? <div className="empty">No steps yet.{onSelect ? ' Add one from the activity catalogue.' : ''}</div>
        : (
          <GraphActions.Provider value={actions}>
            <ReactFlow nodes={shown} edges={edges} nodeTypes={nodeTypes} minZoom={0.1} maxZoom={2} panOnScroll onlyRenderVisibleElements={big}
              nodesConnectable={false} nodesDraggable={!!onDrop} elementsSelectable={false} proOptions={{ hideAttribution: true }}
              onNodesChange={onNodesChange} onNodeDragStop={onDrop ? onNodeDragStop : undefined}>
              <Background gap={16} />
              <Controls showInteractive={false} />
              {big && <MiniMap pannable zoomable ariaLabel="Minimap of the whole workflow" nodeClassName={n => String((n.data as StepData).decoration?.className ?? '')} />}
            </ReactFlow>
          </GraphActions.Provider>
        )}
    </div>
  );
}

/**
 * Which blocks are collapsed: the user's choice, else the default for the graph's size; a block
 * that held the selected or the running step stays open once opened for it (so a finished run does
 * not fold its graph up again).
 */
function useCollapsed(graph: WorkflowGraph, open: (string | undefined)[]) {
  const defaults = useMemo(() => defaultCollapsed(graph), [graph]);
  const [chosen, setChosen] = useState<ReadonlyMap<string, boolean>>(new Map());
  const opened = useRef(new Set<string>());
  const openKey = open.join('|');
  const set = useMemo(() => {
    for (const id of open) if (id) for (const a of ancestorsOf(graph.nodes, id)) opened.current.add(a);
    return new Set([...defaults, ...[...chosen].filter(([, c]) => c).map(([id]) => id)]
      .filter(id => chosen.get(id) ?? !opened.current.has(id)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [defaults, chosen, graph, openKey]);
  const current = useRef(set);
  current.current = set;
  const toggle = useCallback((id: string) => setChosen(c => new Map(c).set(id, !current.current.has(id))), []);
  return { set, toggle };
}

/**
 * The React Flow nodes, reusing last render's object for every node whose place and data are
 * unchanged (React Flow keeps what it knows about a node, its measured size, only while the object
 * is the same), and last render's list when no node changed.
 */
function useStableNodes(visible: VisibleNode[], boxes: Map<string, Box>, dataOf: (n: VisibleNode) => StepData, draggable: boolean) {
  const cache = useRef(new Map<string, Node<StepData>>());
  const last = useRef<Node<StepData>[]>([]);
  const next = new Map<string, Node<StepData>>();
  const list = visible.map(n => {
    const box = boxes.get(n.id)!;
    const data = dataOf(n);
    const canDrag = draggable && !!n.step;
    const previous = cache.current.get(n.id);
    const node = previous && previous.parentId === n.parentId && previous.position.x === box.x && previous.position.y === box.y
      && previous.width === box.width && previous.height === box.height && previous.draggable === canDrag && dataKey(previous.data) === dataKey(data)
      ? previous
      : {
        id: n.id, type: 'step', parentId: n.parentId, position: { x: box.x, y: box.y }, width: box.width, height: box.height,
        measured: previous?.width === box.width && previous.height === box.height ? previous.measured : undefined,
        draggable: canDrag, selectable: false, focusable: false, data,
      };
    next.set(n.id, node);
    return node;
  });
  cache.current = next;
  if (list.length !== last.current.length || list.some((n, i) => n !== last.current[i])) last.current = list;
  const stable = last.current;
  return useMemo(() => ({ list: stable, remember: (n: Node<StepData> | undefined) => { if (n && cache.current.has(n.id)) cache.current.set(n.id, n); } }), [stable]);
}

function dataKey(d: StepData): string {
  const c = d.decoration;
  return [d.label, d.detail, d.kind, d.container, d.selected, d.selectable, c?.className, c?.badge, c?.badgeClass, c?.badgeLabel, c?.title, d.link?.text, d.link?.href, d.block?.collapsed, d.block?.hidden].join('\u0001');
}

/**
 * Fits the graph once it is drawn (and again when steps are added or removed), at a readable zoom;
 * then keeps the focused node in view by moving only when it leaves it. Returns whether the view has
 * settled (`data-settled`: until then nodes can still move under the pointer).
 */
function useCamera(container: React.RefObject<HTMLDivElement | null>, count: number, visible: VisibleNode[], boxes: Map<string, Box>, focus: string | undefined): boolean {
  const flow = useReactFlow();
  const [fittedCount, setFittedCount] = useState<number>();
  const parents = useMemo(() => new Map(visible.map(n => [n.id, n.parentId])), [visible]);
  const view = () => ({ width: container.current?.clientWidth ?? 800, height: container.current?.clientHeight ?? 600 });

  useEffect(() => {
    if (!count) { setFittedCount(0); return; }
    const top = visible.filter(n => n.parentId === undefined).map(n => boxes.get(n.id)!);
    void flow.setViewport(readableFit(boundsOf(top), view())).then(() => setFittedCount(count));
    // Only a change in the number of steps refits; other updates (run events, opening a block) leave
    // the camera where it is.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [flow, count]);

  const settled = fittedCount === count;
  useEffect(() => {
    if (!settled || !focus) return;
    const box = absoluteBox(boxes, id => parents.get(id), focus) ?? absoluteBox(boxes, id => parents.get(id), visibleAncestor(focus, parents, boxes) ?? '');
    const moved = box ? follow(box, flow.getViewport(), view()) : undefined;
    if (moved) void flow.setViewport(moved, { duration: 300 });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [settled, focus, boxes]);
  return settled;
}

/** The nearest drawn block around a node hidden in a collapsed block. */
function visibleAncestor(id: string, parents: Map<string, string | undefined>, boxes: Map<string, Box>): string | undefined {
  const parts = id.split(/(?=\.|\[)/);
  for (let i = parts.length - 1; i > 0; i--) {
    const candidate = parts.slice(0, i).join('');
    if (boxes.has(candidate) && parents.has(candidate)) return candidate;
  }
  return undefined;
}
