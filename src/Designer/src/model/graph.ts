// The workflow as a graph: one node per step, blocks as container nodes, edges in running order.
import { stepLabel, type StepInfo, type StepKind, type WorkflowModel } from './workflow';

export type NodeKind = StepKind | 'section';

export interface GraphNode {
  id: string; kind: NodeKind; label: string; detail?: string;
  parentId?: string; container: boolean; step?: StepInfo;
}

export interface GraphEdge { id: string; source: string; target: string; kind: 'next' | 'failure' | 'finally'; label?: string }

export interface WorkflowGraph { nodes: GraphNode[]; edges: GraphEdge[] }

export const onFailureNodeId = 'on_failure';

export function buildGraph(model: WorkflowModel): WorkflowGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const edge = (source: string, target: string, kind: GraphEdge['kind'], label?: string) =>
    edges.push({ id: `${source}->${target}`, source, target, kind, label });

  // Adds the steps as siblings under parentId, chained one after the other; returns first and last.
  const chain = (steps: StepInfo[], parentId: string | undefined, link = true): [string, string] | undefined => {
    let previous: string | undefined;
    for (const step of steps) {
      addStep(step, parentId);
      if (previous && link) edge(previous, step.path, 'next');
      previous = step.path;
    }
    return steps.length ? [steps[0].path, steps[steps.length - 1].path] : undefined;
  };

  const addStep = (step: StepInfo, parentId: string | undefined) => {
    nodes.push({ id: step.path, kind: step.kind, label: stepLabel(step), detail: detailOf(step), parentId, container: step.sections.length > 0, step });
    if (step.kind === 'group') {
      const main = chain(step.sections[0].steps, step.path);
      const failure = chain(step.sections[1].steps, step.path);
      const final = chain(step.sections[2].steps, step.path);
      if (main && failure) edge(main[1], failure[0], 'failure', 'on failure');
      if (main && final) edge(main[1], final[0], 'finally', 'finally');
    } else if (step.kind === 'parallel') {
      chain(step.sections[0].steps, step.path, false);
    } else if (step.kind === 'foreach') {
      chain(step.sections[0].steps, step.path);
    }
  };

  const main = chain(model.steps, undefined);
  if (model.onFailure.length) {
    nodes.push({ id: onFailureNodeId, kind: 'section', label: 'on failure', detail: 'runs when the workflow fails', container: true });
    chain(model.onFailure, onFailureNodeId);
    if (main) edge(main[1], onFailureNodeId, 'failure', 'on failure');
  }
  return { nodes, edges };
}

function detailOf(step: StepInfo): string | undefined {
  const raw = step.raw;
  switch (step.kind) {
    case 'call': return `workflow ${String(step.with.workflow ?? '?')}`;
    case 'foreach': return `foreach ${short(raw.foreach)} as ${String(raw.as ?? 'item')}${raw.max_parallel ? `, ${String(raw.max_parallel)} at once` : ''}`;
    case 'wait': return raw.signal ? `signal ${String(raw.signal)}` : raw.approval ? `approval: ${String(raw.approval)}` : raw.delay ? `delay ${String(raw.delay)}` : 'wait';
    case 'activity': return step.name || step.id ? step.uses : undefined;
    default: return undefined;
  }
}

function short(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
