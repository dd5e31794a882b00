// Controls for generated fields: text, number, checkbox, enum and environment pickers.
import { useEffect, useState } from 'react';
import { formatValue, parseValue, pickerChoices, type Field } from '../model/schemaForm';
import type { EnvironmentDetail } from '../api';

interface Props { fields: Field[]; values: Record<string, unknown>; onChange: (name: string, value: unknown) => void; env: EnvironmentDetail | null; disabled?: boolean; idPrefix: string }

export function SchemaForm({ fields, values, onChange, env, disabled, idPrefix }: Props) {
  if (fields.length === 0) return <p className="muted">This takes no inputs.</p>;
  return <div className="form">{fields.map(f => <FieldControl key={f.name} field={f} value={values[f.name]} onChange={v => onChange(f.name, v)} env={env} disabled={disabled} id={`${idPrefix}-${f.name}`} />)}</div>;
}

function FieldControl({ field, value, onChange, env, disabled, id }: { field: Field; value: unknown; onChange: (v: unknown) => void; env: EnvironmentDetail | null; disabled?: boolean; id: string }) {
  const [text, setText] = useState(formatValue(field, value));
  const [error, setError] = useState<string>();
  useEffect(() => { setText(formatValue(field, value)); setError(undefined); }, [field, value]);

  const commit = (raw: string) => {
    try {
      const parsed = parseValue(field, raw);
      setError(undefined);
      if (JSON.stringify(parsed) !== JSON.stringify(value)) onChange(parsed);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const describedBy = `${id}-help`;
  const choices = field.picker ? pickerChoices(field.picker, env) : field.options ?? [];
  const placeholder = field.default !== undefined ? `default: ${formatValue(field, field.default)}` : field.templatable ? '{{ template }} allowed' : '';
  let control;
  if (field.type === 'boolean' && (typeof value === 'boolean' || value === undefined)) {
    control = (
      <select id={id} disabled={disabled} aria-describedby={describedBy} value={value === undefined ? '' : String(value)} onChange={e => onChange(e.target.value === '' ? undefined : e.target.value === 'true')}>
        <option value="">{field.default !== undefined ? `default (${String(field.default)})` : 'not set'}</option>
        <option value="true">true</option><option value="false">false</option>
      </select>
    );
  } else if ((field.type === 'enum' || field.picker === 'target' || field.picker === 'group' || field.picker === 'host') && choices.length > 0) {
    const listId = `${id}-choices`;
    control = (
      <>
        <input id={id} list={listId} disabled={disabled} aria-describedby={describedBy} value={text} placeholder={placeholder}
          onChange={e => setText(e.target.value)} onBlur={e => commit(e.target.value)} onKeyDown={e => e.key === 'Enter' && commit((e.target as HTMLInputElement).value)} />
        <datalist id={listId}>{choices.map(c => <option key={c} value={c} />)}</datalist>
      </>
    );
  } else {
    control = (
      <input id={id} disabled={disabled} aria-describedby={describedBy} aria-invalid={!!error} value={text} placeholder={placeholder}
        inputMode={field.type === 'integer' || field.type === 'number' ? 'numeric' : undefined}
        onChange={e => setText(e.target.value)} onBlur={e => commit(e.target.value)} onKeyDown={e => e.key === 'Enter' && commit((e.target as HTMLInputElement).value)} />
    );
  }
  const hint = field.picker && choices.length ? `Choices: ${choices.join(', ')}` : field.type === 'list' ? 'Comma-separated list' : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{field.name}{field.required && <span className="required" aria-label="required"> *</span>} <span className="type">{field.type}</span></label>
      {control}
      <div id={describedBy} className="help">{[field.description, hint].filter(Boolean).join(' · ')}</div>
      {error && <div className="field-error" role="alert">{error}</div>}
    </div>
  );
}
