// Starts a workflow from scratch: picks an id, then opens an empty, unsaved draft in the editor.
import { useState, type FormEvent } from 'react';
import { href } from './router';

const idPattern = /^[A-Za-z][A-Za-z0-9_-]*$/;

export function NewWorkflowForm({ taken }: { taken: string[] }) {
  const [id, setId] = useState('');
  const [problem, setProblem] = useState<string>();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const name = id.trim();
    if (!idPattern.test(name)) { setProblem(`“${name}” is not a workflow id: start with a letter, then letters, digits, - or _.`); return; }
    if (taken.includes(name)) { setProblem(`A workflow “${name}” exists already: open it from the list.`); return; }
    location.hash = href.fresh(name);
  };

  return (
    <form className="new-workflow" onSubmit={submit} aria-label="New workflow">
      <label><span className="visually-hidden">New workflow id</span>
        <input placeholder="new-workflow-id" value={id} onChange={e => { setId(e.target.value); setProblem(undefined); }} aria-invalid={!!problem} />
      </label>
      <button type="submit" disabled={!id.trim()}>New workflow</button>
      {problem && <div className="error-box" role="alert">{problem}</div>}
    </form>
  );
}
