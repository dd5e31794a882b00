import { useState } from 'react';
import { api } from '../api';
import { runQuery, triggerChoices } from '../model/runFilters';
import { Empty, ErrorBox, StatusBadge, useLoad, when } from './common';
import { href } from './router';

/** Recent runs, filtered by environment and trigger: "what is on testing now, and from which push". */
export function RecentRuns() {
  const [environment, setEnvironment] = useState('');
  const [trigger, setTrigger] = useState('');
  const [environments] = useLoad(() => api.environments(), []);
  const [runs, error] = useLoad(() => api.runs(runQuery(environment, trigger)), [environment, trigger]);
  const triggers = triggerChoices((runs ?? []).map(r => r.trigger));

  return (
    <section className="runs">
      <div className="list-head">
        <h2>Recent runs</h2>
        <label>Environment{' '}
          <select value={environment} onChange={e => setEnvironment(e.target.value)}>
            <option value="">any</option>
            {(environments ?? []).map(e => <option key={e.id} value={e.id}>{e.id}</option>)}
          </select>
        </label>
        <label>Trigger{' '}
          <select value={trigger} onChange={e => setTrigger(e.target.value)}>
            <option value="">any</option>
            {triggers.map(t => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
      </div>
      {error && <ErrorBox>Could not load runs: {error}</ErrorBox>}
      {runs && runs.length === 0 && <Empty>No run matches these filters.</Empty>}
      {runs && runs.length > 0 && (
        <table>
          <thead><tr><th scope="col">Run</th><th scope="col">Workflow</th><th scope="col">Environment</th><th scope="col">Status</th><th scope="col">Trigger</th><th scope="col">Ref</th><th scope="col">Started</th></tr></thead>
          <tbody>
            {runs.map(r => (
              <tr key={r.id}>
                <th scope="row"><a href={href.run(r.id)}>{r.id}</a></th>
                <td>{r.workflowId}</td>
                <td>{r.environmentId}</td>
                <td><StatusBadge status={r.status} /></td>
                <td>{r.trigger}{r.startedBy ? <span className="muted"> by {r.startedBy}</span> : null}</td>
                <td><code>{typeof r.inputs.ref === 'string' ? r.inputs.ref.slice(0, 12) : ''}</code></td>
                <td>{when(r.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
