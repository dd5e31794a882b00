import { describe, expect, it } from 'vitest';
import { fieldsFor, fieldsForInputs, formatValue, missingRequired, parseValue, pickerChoices } from '../src/model/schemaForm';

const template = { type: 'string', pattern: '\\{\\{', description: 'A template evaluated at run time.' };
const deployRelease = {
  anyOf: [{
    type: 'object',
    properties: {
      target: { type: 'string', description: 'out, or a group name.', default: 'out' },
      hosts: { anyOf: [{ type: 'array', items: { type: 'string' } }, template], description: 'Explicit hosts instead of a group.' },
      tag: { type: 'string', description: 'The tag (or commit) to deploy.' },
      max_parallel: { anyOf: [{ type: 'integer' }, template], description: 'Hosts deployed at once.', default: 0 },
      allow_live: { anyOf: [{ type: 'boolean' }, template], default: false },
      action: { type: 'string', enum: ['hotfix-start', 'hotfix-finish'] },
    },
    required: ['tag'],
  }, template],
};

describe('fieldsFor', () => {
  it('reads types, required, defaults, descriptions, enums, templates and pickers', () => {
    expect(fieldsFor(deployRelease)).toEqual([
      { name: 'target', type: 'string', required: false, templatable: false, default: 'out', description: 'out, or a group name.', picker: 'target' },
      { name: 'hosts', type: 'list', required: false, templatable: true, default: undefined, description: 'Explicit hosts instead of a group.', picker: 'hosts' },
      { name: 'tag', type: 'string', required: true, templatable: false, default: undefined, description: 'The tag (or commit) to deploy.', picker: undefined },
      { name: 'max_parallel', type: 'integer', required: false, templatable: true, default: 0, description: 'Hosts deployed at once.', picker: undefined },
      { name: 'allow_live', type: 'boolean', required: false, templatable: true, default: false, description: undefined, picker: undefined },
      { name: 'action', type: 'enum', required: false, templatable: false, default: undefined, description: undefined, options: ['hotfix-start', 'hotfix-finish'], picker: undefined },
    ]);
  });

  it('makes run form fields from workflow inputs', () => {
    expect(fieldsForInputs({ version: { type: 'string', required: true, description: 'Hotfix version' }, dry: { type: 'boolean', default: false } })).toEqual([
      { name: 'version', type: 'string', required: true, templatable: false, default: undefined, description: 'Hotfix version', picker: undefined },
      { name: 'dry', type: 'boolean', required: false, templatable: false, default: false, description: undefined, picker: undefined },
    ]);
  });
});

describe('values', () => {
  const [, hosts, tag, maxParallel, allowLive] = fieldsFor(deployRelease);

  it('parses text into typed values, keeping templates as text', () => {
    expect(parseValue(hosts, 'web1, web2')).toEqual(['web1', 'web2']);
    expect(parseValue(maxParallel, '2')).toBe(2);
    expect(parseValue(maxParallel, '{{ inputs.n }}')).toBe('{{ inputs.n }}');
    expect(parseValue(allowLive, 'true')).toBe(true);
    expect(parseValue(tag, '  ')).toBeUndefined();
  });

  it('explains bad values in a sentence', () => {
    expect(() => parseValue(maxParallel, 'two')).toThrow("max_parallel must be a whole number or a {{ template }}, not 'two'");
    expect(() => parseValue(allowLive, 'yes')).toThrow("allow_live must be true or false, not 'yes'");
  });

  it('formats values for controls and finds missing required fields', () => {
    expect(formatValue(hosts, ['web1', 'web2'])).toBe('web1, web2');
    expect(formatValue(tag, undefined)).toBe('');
    expect(missingRequired(fieldsFor(deployRelease), { target: 'out' })).toEqual(['tag']);
  });

  it('offers groups and hosts of the selected environment', () => {
    const env = { groups: { group1: ['web1', 'web2'], group2: ['web3'] }, hosts: ['web1', 'web2', 'web3'] };
    expect(pickerChoices('target', env)).toEqual(['out', 'group1', 'group2']);
    expect(pickerChoices('hosts', env)).toEqual(['web1', 'web2', 'web3']);
    expect(pickerChoices('groups', null)).toEqual([]);
  });
});
