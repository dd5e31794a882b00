// Form fields generated from an activity's input schema (or a workflow's inputs), and the
// conversions between what a form control holds and the value written to the YAML.
import type { JsonSchema } from '../api';
import type { InputDecl } from './workflow';

export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'list' | 'object';
export type Picker = 'group' | 'groups' | 'host' | 'hosts' | 'target';

export interface Field {
  name: string; type: FieldType; required: boolean; default?: unknown; description?: string;
  options?: string[]; picker?: Picker; templatable: boolean;
}

const isTemplateBranch = (s: JsonSchema) => s.type === 'string' && s.pattern === '\\{\\{';

/** The object schema of a with: block; the generator may wrap it in anyOf with a template string. */
export function objectSchema(schema: JsonSchema | undefined): JsonSchema {
  if (!schema) return {};
  if (schema.properties) return schema;
  const branch = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].find(s => s.type === 'object' || s.properties);
  return branch ?? {};
}

export function fieldsFor(schema: JsonSchema | undefined): Field[] {
  const object = objectSchema(schema);
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties ?? {}).map(([name, prop]) => {
    const branches = prop.anyOf ?? prop.oneOf ?? [prop];
    const templatable = branches.some(isTemplateBranch);
    const concrete = branches.find(b => !isTemplateBranch(b)) ?? prop;
    const field: Field = {
      name, required: required.has(name), templatable,
      type: typeOf(concrete), default: prop.default ?? concrete.default, description: prop.description ?? concrete.description,
    };
    const choices = concrete.enum ?? prop.enum;
    if (choices) { field.type = 'enum'; field.options = choices.map(String); }
    field.picker = pickerFor(name, field.type);
    return field;
  });
}

/** A workflow's declared inputs as fields (the run form). */
export function fieldsForInputs(inputs: Record<string, InputDecl>): Field[] {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, decl] of Object.entries(inputs)) {
    properties[name] = { type: decl?.type ?? 'string', default: decl?.default, description: decl?.description, enum: decl?.enum };
    if (decl?.required) required.push(name);
  }
  return fieldsFor({ type: 'object', properties, required }).map(f => ({ ...f, picker: undefined, templatable: false }));
}

function typeOf(s: JsonSchema): FieldType {
  const t = Array.isArray(s.type) ? s.type.find(x => x !== 'null') : s.type;
  switch (t) {
    case 'boolean': case 'number': case 'integer': case 'object': return t;
    case 'array': return 'list';
    default: return 'string';
  }
}

function pickerFor(name: string, type: FieldType): Picker | undefined {
  if (name === 'target') return 'target';
  if (name === 'group') return 'group';
  if (name === 'groups' && type === 'list') return 'groups';
  if (name === 'host') return 'host';
  if (name === 'hosts' && type === 'list') return 'hosts';
  return undefined;
}

/** Choices a picker offers from the selected environment. */
export function pickerChoices(picker: Picker, env: { groups: Record<string, string[]>; hosts: string[] } | null): string[] {
  if (!env) return picker === 'target' ? ['out'] : [];
  switch (picker) {
    case 'target': return ['out', ...Object.keys(env.groups)];
    case 'group': case 'groups': return Object.keys(env.groups);
    default: return env.hosts;
  }
}

export const isTemplate = (v: unknown) => typeof v === 'string' && v.includes('{{');

/** What a text control shows for a value. */
export function formatValue(field: Field, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (field.type === 'list' && Array.isArray(value)) return value.map(v => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The value a control's text stands for; '' means "not set". Throws with a sentence on bad input. */
export function parseValue(field: Field, text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  if (isTemplate(t) && field.type !== 'string' && field.type !== 'enum') return t;
  switch (field.type) {
    case 'integer': {
      if (!/^-?\d+$/.test(t)) throw new Error(`${field.name} must be a whole number${field.templatable ? ' or a {{ template }}' : ''}, not '${t}'`);
      return Number(t);
    }
    case 'number': {
      const n = Number(t);
      if (Number.isNaN(n)) throw new Error(`${field.name} must be a number${field.templatable ? ' or a {{ template }}' : ''}, not '${t}'`);
      return n;
    }
    case 'boolean': {
      if (t === 'true' || t === 'false') return t === 'true';
      throw new Error(`${field.name} must be true or false, not '${t}'`);
    }
    case 'list': return t.startsWith('[') ? JSON.parse(t) : t.split(/[,\n]/).map(s => s.trim()).filter(Boolean);
    case 'object': {
      try { return JSON.parse(t); } catch { throw new Error(`${field.name} must be a JSON object such as {"key": "value"}`); }
    }
    default: return text;
  }
}

/** Names of required fields that have neither a value nor a default. */
export function missingRequired(fields: Field[], values: Record<string, unknown>): string[] {
  return fields.filter(f => f.required && f.default === undefined && (values[f.name] === undefined || values[f.name] === '')).map(f => f.name);
}
