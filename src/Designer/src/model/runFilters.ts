// Choices for the run list's environment and trigger filters.

/** The kind of a run's trigger: `push:develop` → `push`, `http:deploy` → `http`. */
export function triggerKind(trigger: string | undefined): string {
  return (trigger ?? '').split(':')[0];
}

/** Every trigger kind worth offering: the usual ones plus those seen on runs, sorted. */
export function triggerChoices(seen: (string | undefined)[]): string[] {
  const kinds = new Set(['cli', 'http', 'push']);
  for (const t of seen) if (triggerKind(t)) kinds.add(triggerKind(t));
  return [...kinds].sort();
}

/** The query the API takes; an empty choice means "any". */
export function runQuery(environment: string, trigger: string, limit = 50): { environment?: string; trigger?: string; limit: number } {
  return { ...(environment ? { environment } : {}), ...(trigger ? { trigger } : {}), limit };
}
