// The activity catalogue: searchable, grouped by provider, plus the control blocks.
import { useMemo, useState } from 'react';
import type { Activity } from '../api';

export interface PaletteItem { key: string; label: string; description: string; step: Record<string, unknown> }

const blocks: PaletteItem[] = [
  { key: 'block:group', label: 'group', description: 'Steps with their own on_failure and finally', step: { group: [] } },
  { key: 'block:parallel', label: 'parallel', description: 'Branches that run at once', step: { parallel: [] } },
  { key: 'block:foreach', label: 'foreach', description: 'Repeat steps for each item or each host of a group', step: { foreach: 'group1', as: 'host', steps: [] } },
  { key: 'block:call', label: 'workflow.call', description: 'Run another workflow as a step', step: { uses: 'workflow.call', with: { workflow: '' } } },
  { key: 'block:wait', label: 'wait', description: 'Wait for a signal, an approval or a delay', step: { uses: 'wait', approval: 'Go ahead?' } },
];

export function ActivityPalette({ activities, onAdd, disabled, target }: { activities: Activity[]; onAdd: (item: PaletteItem) => void; disabled: boolean; target: string }) {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const byProvider = new Map<string, PaletteItem[]>();
    byProvider.set('blocks', blocks.filter(b => b.label.includes(q) || b.description.toLowerCase().includes(q)));
    for (const a of activities) {
      if (a.name === 'workflow.call' || a.name === 'wait') continue;
      if (q && !a.name.toLowerCase().includes(q) && !a.description.toLowerCase().includes(q)) continue;
      const list = byProvider.get(a.provider) ?? [];
      list.push({ key: a.name, label: a.name, description: a.description, step: { uses: a.name } });
      byProvider.set(a.provider, list);
    }
    return [...byProvider].filter(([, items]) => items.length);
  }, [activities, query]);

  return (
    <aside className="palette" aria-label="Activity catalogue">
      <h2>Add a step</h2>
      <p className="muted small">{target}</p>
      <input type="search" placeholder="Search activities" aria-label="Search activities" value={query} onChange={e => setQuery(e.target.value)} />
      {groups.length === 0 && <div className="empty">Nothing matches “{query}”.</div>}
      {groups.map(([provider, items]) => (
        <section key={provider}>
          <h3>{provider}</h3>
          <ul>
            {items.map(item => (
              <li key={item.key}>
                <button type="button" disabled={disabled} title={item.description} onClick={() => onAdd(item)}>
                  <span className="name">{item.label}</span>
                  <span className="desc">{item.description}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </aside>
  );
}
