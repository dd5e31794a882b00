// The workflow graph (React Flow): steps as nodes, blocks as containers, laid out with dagre.
import { applyNodeChanges, Background, Controls, Handle, MarkerType, Position, ReactFlow, ReactFlowProvider, useReactFlow, type Edge, type Node, type NodeChange, type NodeProps } from '@xyflow/react';
import { memo, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { DropPlace } from '../model/drop';
import { dropTargetAt } from '../model/dropTarget';
import type { WorkflowGraph } from '../model/graph';
import { layoutGraph } from '../model/layout';

export interface NodeDecoration { className?: string; badge?: ReactNode; title?: string }

interface StepData extends Record<string, unknown> {
  label: string; detail?: string; kind: string; container: boolean; selected: boolean;
  decoration?: NodeDecoration; onSelect?: () => void; link?: { text: string; href: string };
}

const StepNode = memo(({ data }: NodeProps<Node<StepData>>) => (
  <div className={`gnode kind-${data.kind} ${data.container ? 'container' : 'leaf'} ${data.selected ? 'selected' : ''} ${data.decoration?.className ?? ''}`} title={data.decoration?.title} data-label={data.label}>
    <Handle type="target" position={Position.Top} isConnectable={false} />
    <div className="gnode-head">
      {data.onSelect
        ? <button type="button" className="gnode-label" onClick={data.onSelect} aria-pressed={data.selected}>{kindIcon[data.kind] ?? ''} {data.label}</button>
        : <span className="gnode-label">{kindIcon[data.kind] ?? ''} {data.label}</span>}
      {data.decoration?.badge}
    </div>
    {data.detail && <div className="gnode-detail">{data.detail}</div>}
    {data.link && <a className="gnode-link" href={data.link.href}>{data.link.text}</a>}
    <Handle type="source" position={Position.Bottom} isConnectable={false} />
  </div>
));

const kindIcon: Record<string, string> = { group: '▣', parallel: '⇉', foreach: '↻', call: '↗', wait: '⏸', section: '⚠' };
const nodeTypes = { step: StepNode };

export interface GraphViewProps {
  graph: WorkflowGraph;
  selected?: string;
  onSelect?: (id: string) => void;
  decorate?: (id: string) => NodeDecoration | undefined;
  linkFor?: (id: string) => { text: string; href: string } | undefined;
  label: string;
  /** Set to let steps be dragged: before / after another step, or into a block. */
  onDrop?: (dragged: string, target: string, place: DropPlace) => void;
}

export function GraphView(props: GraphViewProps) {
  return <ReactFlowProvider><Inner {...props} /></ReactFlowProvider>;
}

function Inner({ graph, selected, onSelect, decorate, linkFor, label, onDrop }: GraphViewProps) {
  const boxes = useMemo(() => layoutGraph(graph.nodes, graph.edges), [graph]);
  const flow = useReactFlow();
  // Refit when steps are added or removed, so a new step is in view. Until the refit has run the
  // nodes can still move under the pointer; `data-settled` says when they stay put.
  const [fittedCount, setFittedCount] = useState<number>();
  useEffect(() => {
    const count = graph.nodes.length;
    const timer = setTimeout(() => void flow.fitView({ padding: 0.1, maxZoom: 1 }).then(() => setFittedCount(count)), 50);
    return () => clearTimeout(timer);
  }, [flow, graph.nodes.length]);
  const nodes = useMemo<Node<StepData>[]>(() => graph.nodes.map(n => {
    const box = boxes.get(n.id)!;
    return {
      id: n.id, type: 'step', parentId: n.parentId, position: { x: box.x, y: box.y },
      style: { width: box.width, height: box.height }, draggable: !!onDrop && !!n.step, selectable: false, focusable: false,
      data: {
        label: n.label, detail: n.detail, kind: n.kind, container: n.container, selected: n.id === selected,
        decoration: decorate?.(n.id), onSelect: onSelect && n.step ? () => onSelect(n.id) : undefined, link: linkFor?.(n.id),
      },
    };
  }), [graph, boxes, selected, decorate, onSelect, linkFor, onDrop]);
  // Dragged positions live here until the drop; the YAML edit then rebuilds the graph (or the node snaps back).
  const [shown, setShown] = useState(nodes);
  useEffect(() => setShown(nodes), [nodes]);
  const onNodesChange = useCallback((changes: NodeChange<Node<StepData>>[]) => setShown(ns => applyNodeChanges(changes, ns)), []);
  const onNodeDragStop = useCallback((event: MouseEvent | TouchEvent, node: Node) => {
    const pointer = 'changedTouches' in event ? event.changedTouches[0] : event;
    const target = dropTargetAt(graph.nodes, boxes, flow.screenToFlowPosition({ x: pointer.clientX, y: pointer.clientY }), node.id);
    setShown(nodes);
    if (target && onDrop) onDrop(node.id, target.id, target.place);
  }, [graph, boxes, flow, nodes, onDrop]);
  const edges = useMemo<Edge[]>(() => graph.edges.map(e => ({
    id: e.id, source: e.source, target: e.target, label: e.label, className: `edge-${e.kind}`,
    markerEnd: { type: MarkerType.ArrowClosed }, animated: false, focusable: false,
  })), [graph]);

  return (
    <div className="graph" role="group" aria-label={label} data-settled={fittedCount === graph.nodes.length}>
      {graph.nodes.length === 0
        ? <div className="empty">No steps yet.{onSelect ? ' Add one from the activity catalogue.' : ''}</div>
        : (
          <ReactFlow nodes={shown} edges={edges} nodeTypes={nodeTypes} fitView fitViewOptions={{ padding: 0.1, maxZoom: 1 }} minZoom={0.1}
            nodesConnectable={false} nodesDraggable={!!onDrop} elementsSelectable={false} proOptions={{ hideAttribution: true }}
            onNodesChange={onDrop ? onNodesChange : undefined} onNodeDragStop={onDrop ? onNodeDragStop : undefined}>
            <Background gap={16} />
            <Controls showInteractive={false} />
          </ReactFlow>
        )}
    </div>
  );
}
