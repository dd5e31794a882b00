import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allSteps, parseWorkflow } from '../src/model/workflow';
import { addStep, moveStep, relocateStep, removeStep, setStepField, wrapStep } from '../src/model/edits';

const hotfix = readFileSync(new URL('../../../workflows/hotfix.yaml', import.meta.url), 'utf8');

const blocks = `id: blocks
steps:
  - id: first
    uses: log
    with: { message: hi }   # keep me
  - group:
      - id: inner
        uses: lb.flip
    on_failure:
      - uses: lb.restore
  - parallel:
      - uses: log
      - uses: log
  - id: each
    foreach: group1
    as: host
    steps:
      - uses: http.check
        with: { url: "http://{{ host.address }}" }
on_failure:
  - uses: lb.restore
`;

describe('parseWorkflow', () => {
  it('reads the hotfix steps with kinds, paths and lines', () => {
    const { model, problems } = parseWorkflow(hotfix);
    expect(problems).toEqual([]);
    expect(model!.id).toBe('hotfix');
    expect(model!.inputs.version).toEqual({ type: 'string', default: '', description: 'Hotfix version without the v prefix, e.g. 3.0.1; empty: the next patch version after the newest stable tag' });
    expect(model!.steps.map(s => [s.path, s.id, s.kind])).toEqual([
      ['steps[0]', 'version', 'activity'], ['steps[1]', 'start', 'activity'], ['steps[2]', 'bump', 'activity'],
      ['steps[3]', 'push', 'activity'], ['steps[4]', 'review', 'activity'], ['steps[5]', 'finish', 'activity'],
      ['steps[6]', 'rollout', 'call'],
    ]);
    expect(model!.steps[6].with.workflow).toBe('rolling-deploy');
    expect(model!.steps[1].line).toBe(hotfix.split('\n').findIndex(l => l.includes('- id: start')) + 1);
  });

  it('nests group, parallel and foreach sections and the workflow on_failure', () => {
    const model = parseWorkflow(blocks).model!;
    expect(allSteps(model).map(s => `${s.path}:${s.kind}`)).toEqual([
      'steps[0]:activity', 'steps[1]:group', 'steps[1].group[0]:activity', 'steps[1].on_failure[0]:activity',
      'steps[2]:parallel', 'steps[2].parallel[0]:activity', 'steps[2].parallel[1]:activity',
      'steps[3]:foreach', 'steps[3].steps[0]:activity', 'on_failure[0]:activity',
    ]);
  });

  it('reports a syntax error with its line', () => {
    const { model, problems } = parseWorkflow('id: x\nsteps:\n  - uses: log\n   with: [\n');
    expect(model).toBeNull();
    expect(problems[0].line).toBeGreaterThanOrEqual(3);
  });
});

describe('edits', () => {
  it('adds a step at the end and keeps comments', () => {
    const text = addStep(blocks, ['steps'], { id: 'tag', uses: 'git.latest-tag', with: { ref: 'stable' } });
    expect(text).toContain('# keep me');
    expect(parseWorkflow(text).model!.steps[4]).toMatchObject({ path: 'steps[4]', id: 'tag', uses: 'git.latest-tag', with: { ref: 'stable' } });
  });

  it('adds a first step to an empty workflow', () => {
    expect(parseWorkflow(addStep('id: empty\n', ['steps'], { uses: 'log' })).model!.steps.map(s => s.uses)).toEqual(['log']);
  });

  it('writes added steps and blocks as block YAML, one key a line', () => {
    expect(addStep('id: a\nsteps: []\n', ['steps'], { group: [] })).toBe('id: a\nsteps:\n  - group: []\n');
    expect(addStep('id: a\nsteps:\n', ['steps'], { foreach: 'group1', as: 'host', steps: [] })).toBe('id: a\nsteps:\n  - foreach: group1\n    as: host\n    steps: []\n');
    expect(addStep('id: a\nsteps:\n  - { id: one, uses: log }\n', ['steps'], { id: 'call', uses: 'workflow.call', with: { workflow: '' } }))
      .toBe('id: a\nsteps:\n  - { id: one, uses: log }\n  - id: call\n    uses: workflow.call\n    with:\n      workflow: ""\n');
  });

  it('removes, moves and wraps steps', () => {
    expect(parseWorkflow(removeStep(blocks, ['steps', 0])).model!.steps.map(s => s.kind)).toEqual(['group', 'parallel', 'foreach']);
    expect(parseWorkflow(moveStep(blocks, ['steps', 0], 1)).model!.steps.map(s => s.kind)).toEqual(['group', 'activity', 'parallel', 'foreach']);
    expect(parseWorkflow(moveStep(blocks, ['steps', 0], -1)).model!.steps.map(s => s.kind)).toEqual(['activity', 'group', 'parallel', 'foreach']);
    const wrapped = parseWorkflow(wrapStep(blocks, ['steps', 0], 'group')).model!;
    expect(wrapped.steps[0].kind).toBe('group');
    expect(wrapped.steps[0].sections[0].steps[0]).toMatchObject({ path: 'steps[0].group[0]', id: 'first' });
  });

  it('moves a step into a later block even though removing it shifts the block', () => {
    const model = parseWorkflow(relocateStep(blocks, ['steps', 0], ['steps', 1, 'group'])).model!;
    expect(model.steps.map(s => s.kind)).toEqual(['group', 'parallel', 'foreach']);
    expect(model.steps[0].sections[0].steps.map(s => s.id)).toEqual(['inner', 'first']);
  });

  it('moves a step out of a block to after it', () => {
    const model = parseWorkflow(relocateStep(blocks, ['steps', 1, 'group', 0], ['steps'], 2)).model!;
    expect(model.steps.map(s => s.id ?? s.kind)).toEqual(['first', 'group', 'inner', 'parallel', 'each']);
  });

  it('sets and clears a with field, dropping an emptied with', () => {
    const set = setStepField(blocks, ['steps', 0], ['with', 'message'], 'bye');
    expect(parseWorkflow(set).model!.steps[0].with).toEqual({ message: 'bye' });
    const cleared = setStepField(blocks, ['steps', 0], ['with', 'message'], undefined);
    expect(parseWorkflow(cleared).model!.steps[0].raw).toEqual({ id: 'first', uses: 'log' });
  });

  it('refuses to edit text that does not parse', () => {
    expect(() => removeStep('steps: [', ['steps', 0])).toThrow(/^fix the YAML first: /);
  });
});
