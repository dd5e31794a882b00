// The selected step's properties: common fields, a form from its activity's input schema, and
// structure actions (move, nest into a block, remove).
import { useMemo } from 'react';
import type { Activity, EnvironmentDetail } from '../api';
import { moveStep, relocateStep, removeStep, setStepField, wrapStep } from '../model/edits';
import type { Keys } from '../model/paths';
import { fieldsFor, type Field } from '../model/schemaForm';
import { allSteps, parseWorkflow, type StepInfo } from '../model/workflow';
import { SchemaForm } from './SchemaForm';

interface Props { step?: StepInfo; activities: Activity[]; env: EnvironmentDetail | null; readOnly: boolean; errors: string[]; apply: (change: (t: string) => string, select?: string) => void }

const common: Field[] = [
  { name: 'id', type: 'string', required: false, templatable: false, description: 'Letters, digits, - and _; lets later steps read steps.<id>.outputs' },
  { name: 'name', type: 'string', required: false, templatable: false, description: 'Shown in the graph and the run view' },
  { name: 'if', type: 'string', required: false, templatable: true, description: 'A condition; false skips the step' },
  { name: 'timeout', type: 'string', required: false, templatable: false, description: 'e.g. 30s, 5m' },
  { name: 'continue_on_error', type: 'boolean', required: false, templatable: false, default: false, description: 'A failure of this step does not fail the workflow' },
];

const blockFields: Record<string, Field[]> = {
  foreach: [
    { name: 'foreach', type: 'string', required: true, templatable: true, picker: 'group', description: 'A list, a template giving one, or a group name (its hosts)' },
    { name: 'as', type: 'string', required: false, templatable: false, default: 'item', description: 'Name of the loop variable' },
    { name: 'max_parallel', type: 'integer', required: false, templatable: true, default: 1, description: 'Items run at once' },
  ],
  wait: [
    { name: 'signal', type: 'string', required: false, templatable: false, description: 'Wait for this signal' },
    { name: 'approval', type: 'string', required: false, templatable: false, description: 'Or: a question an operator approves' },
    { name: 'delay', type: 'string', required: false, templatable: false, description: 'Or: a delay such as 30s' },
  ],
};

const callFields: Field[] = [
  { name: 'workflow', type: 'string', required: true, templatable: false, description: 'The id of the workflow to run' },
  { name: 'inputs', type: 'object', required: false, templatable: false, description: 'Its inputs as JSON, e.g. {"ref": "stable"}' },
];

export function PropertiesPanel({ step, activities, env, readOnly, errors, apply }: Props) {
  const activity = useMemo(() => activities.find(a => a.name === step?.uses), [activities, step?.uses]);
  const withFields = useMemo(() => (step?.kind === 'call' ? callFields : fieldsFor(activity?.inputs)), [activity, step?.kind]);
  if (!step) return <section className="props" aria-label="Step properties"><p className="muted">Select a step in the graph to edit it. Use Tab to reach the steps and Enter to select.</p></section>;

  const set = (field: Keys) => (_: string, value: unknown) => apply(t => setStepField(t, step.keys, field, value), step.path);
  const seq = step.keys.slice(0, -1);
  const siblingsBefore = step.index > 0;
  const parentStepKeys = seq.length > 2 ? seq.slice(0, -1) : undefined;
  const label = step.id ?? step.path;

  return (
    <section className="props" aria-label={`Properties of ${label}`}>
      <h2>{label} <span className="muted">{step.uses ?? step.kind}</span></h2>
      {activity && <p className="small">{activity.description}</p>}
      {errors.length > 0 && <ul className="error-box" role="alert">{errors.map((e, i) => <li key={i}>{e}</li>)}</ul>}
      {!readOnly && (
        <div className="actions" role="toolbar" aria-label="Step structure">
          <button type="button" onClick={() => apply(t => moveStep(t, step.keys, -1), pathAt(seq, step.index - 1))} disabled={!siblingsBefore}>↑ Up</button>
          <button type="button" onClick={() => apply(t => moveStep(t, step.keys, 1), pathAt(seq, step.index + 1))}>↓ Down</button>
          <button type="button" disabled={!siblingsBefore} title="Move into the block just before this step"
            onClick={() => apply(t => intoPrevious(t, step), undefined)}>→ Into block above</button>
          <button type="button" disabled={!parentStepKeys} title="Move after the block that holds it"
            onClick={() => parentStepKeys && apply(t => relocateStep(t, step.keys, parentStepKeys.slice(0, -1), Number(parentStepKeys[parentStepKeys.length - 1]) + 1), pathAt(parentStepKeys.slice(0, -1), Number(parentStepKeys[parentStepKeys.length - 1]) + 1))}>← Out of block</button>
          <button type="button" onClick={() => apply(t => wrapStep(t, step.keys, 'group'), step.path)}>Wrap in group</button>
          <button type="button" onClick={() => apply(t => wrapStep(t, step.keys, 'parallel'), step.path)}>Wrap in parallel</button>
          <button type="button" className="danger" onClick={() => apply(t => removeStep(t, step.keys), '')}>Remove</button>
        </div>
      )}
      <h3>Step</h3>
      <SchemaForm idPrefix={`${step.path}-common`} fields={common} values={step.raw} onChange={(name, value) => set([name])(name, value)} env={env} disabled={readOnly} />
      {blockFields[step.kind] && <SchemaForm idPrefix={`${step.path}-block`} fields={blockFields[step.kind]} values={step.raw} onChange={(name, value) => set([name])(name, value)} env={env} disabled={readOnly} />}
      {(step.kind === 'activity' || step.kind === 'call') && (
        <>
          <h3>Inputs (with)</h3>
          {step.kind === 'activity' && !activity && <p className="muted">Unknown activity “{step.uses}”: edit its inputs in the YAML.</p>}
          <SchemaForm idPrefix={`${step.path}-with`} fields={withFields} values={step.with} onChange={(name, value) => set(['with', name])(name, value)} env={env} disabled={readOnly} />
        </>
      )}
    </section>
  );
}

function pathAt(seq: Keys, index: number): string {
  return [...seq, index].map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

const mainSection: Record<string, string> = { group: 'group', parallel: 'parallel', foreach: 'steps' };

/** Moves the step to the end of the block just above it; refuses when that is not a block. */
function intoPrevious(text: string, step: StepInfo): string {
  const seq = step.keys.slice(0, -1);
  const previousKeys = [...seq, step.index - 1];
  const kind = guessKind(text, previousKeys);
  if (!kind) throw new Error('the step above is not a block (group, parallel or foreach); wrap it in a group first');
  return relocateStep(text, step.keys, [...previousKeys, mainSection[kind]]);
}

function guessKind(text: string, keys: Keys): string | undefined {
  // Re-read the text rather than trust a model that may be a keystroke old.
  const path = pathAt(keys.slice(0, -1), Number(keys[keys.length - 1]));
  const model = parseWorkflow(text).model;
  const s = model ? allSteps(model).find(x => x.path === path) : undefined;
  return s && mainSection[s.kind] ? s.kind : undefined;
}
