// The workflow document as the designer sees it: a tree of steps addressed by structural path.
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { toPath, type Keys } from './paths';

export type StepKind = 'activity' | 'group' | 'parallel' | 'foreach' | 'call' | 'wait';

export interface StepSection { name: string; label: string; steps: StepInfo[] }

export interface StepInfo {
  path: string; keys: Keys; index: number;
  id?: string; name?: string; kind: StepKind; uses?: string;
  with: Record<string, unknown>;
  sections: StepSection[];
  raw: Record<string, unknown>;
  line?: number;
}

export interface InputDecl { type?: string; default?: unknown; required?: boolean; description?: string; enum?: unknown[] }

export interface WorkflowModel {
  id?: string; name?: string; description?: string;
  inputs: Record<string, InputDecl>;
  steps: StepInfo[]; onFailure: StepInfo[];
}

export interface SyntaxProblem { line: number; column: number; message: string }

export interface ParsedWorkflow { model: WorkflowModel | null; problems: SyntaxProblem[] }

const sectionsOf: Record<string, [string, string][]> = {
  group: [['group', 'steps'], ['on_failure', 'on failure'], ['finally', 'finally']],
  parallel: [['parallel', 'branches']],
  foreach: [['steps', 'each']],
};

export function kindOf(step: Record<string, unknown>): StepKind {
  if ('group' in step) return 'group';
  if ('parallel' in step) return 'parallel';
  if ('foreach' in step) return 'foreach';
  if (step.uses === 'workflow.call') return 'call';
  if (step.uses === 'wait') return 'wait';
  return 'activity';
}

export function parseWorkflow(text: string): ParsedWorkflow {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const problems = doc.errors.map(e => {
    const pos = lineCounter.linePos(e.pos[0]);
    return { line: pos.line, column: pos.col, message: e.message.split('\n')[0] };
  });
  if (problems.length) return { model: null, problems };
  const root = doc.toJS() as Record<string, unknown> | null;
  if (!root || typeof root !== 'object' || Array.isArray(root)) {
    return { model: null, problems: [{ line: 1, column: 1, message: 'a workflow is a mapping with id and steps' }] };
  }
  const lineOf = (keys: Keys) => {
    const node = doc.getIn(keys, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  };
  return {
    model: {
      id: asString(root.id), name: asString(root.name), description: asString(root.description),
      inputs: isRecord(root.inputs) ? (root.inputs as Record<string, InputDecl>) : {},
      steps: readSteps(root.steps, ['steps'], lineOf),
      onFailure: readSteps(root.on_failure, ['on_failure'], lineOf),
    },
    problems: [],
  };
}

function readSteps(value: unknown, seqKeys: Keys, lineOf: (keys: Keys) => number | undefined): StepInfo[] {
  if (!Array.isArray(value)) return [];
  return value.map((raw, index) => {
    const keys = [...seqKeys, index];
    const step = isRecord(raw) ? raw : {};
    const kind = kindOf(step);
    const sections = (sectionsOf[kind] ?? []).map(([name, label]) => ({ name, label, steps: readSteps(step[name], [...keys, name], lineOf) }));
    return {
      path: toPath(keys), keys, index, kind, raw: step, sections, line: lineOf(keys),
      id: asString(step.id), name: asString(step.name), uses: asString(step.uses),
      with: isRecord(step.with) ? step.with : {},
    };
  });
}

/** Every step in document order, depth first. */
export function allSteps(model: WorkflowModel): StepInfo[] {
  const out: StepInfo[] = [];
  const walk = (steps: StepInfo[]) => steps.forEach(s => { out.push(s); s.sections.forEach(sec => walk(sec.steps)); });
  walk(model.steps);
  walk(model.onFailure);
  return out;
}

export function stepLabel(step: StepInfo): string {
  if (step.name) return step.name;
  if (step.id) return step.id;
  if (step.kind === 'call') return `call ${String(step.with.workflow ?? '')}`;
  if (step.kind === 'activity' || step.kind === 'wait') return step.uses ?? step.kind;
  return step.kind;
}

export type { Document };
export { isMap, isSeq };

function asString(v: unknown): string | undefined { return typeof v === 'string' ? v : undefined; }
function isRecord(v: unknown): v is Record<string, unknown> { return !!v && typeof v === 'object' && !Array.isArray(v); }
