// Structural step paths, as the engine writes them: steps[2].group[1], on_failure[0], steps[1].steps[0].

export type Keys = (string | number)[];

export function toKeys(path: string): Keys {
  const keys: Keys = [];
  for (const m of path.matchAll(/([A-Za-z_]+)|\[(\d+)\]/g)) keys.push(m[1] !== undefined ? m[1] : Number(m[2]));
  return keys;
}

export function toPath(keys: Keys): string {
  return keys.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

/**
 * The graph node a journal key belongs to. Foreach iterations (steps[1][0]/steps[1].steps[0]) map
 * to the loop's own step; everything inside a called workflow (steps[5]/steps[0]) rolls up into the
 * call step, and is then not "direct": it must not finish the call node.
 */
export function nodeForJournalPath(key: string): { node: string; direct: boolean } {
  const segments = key.split('/');
  for (let i = 0; i < segments.length - 1; i++) {
    if (!/\]\[\d+\]$/.test(segments[i])) return { node: segments[i], direct: false };
  }
  return { node: segments[segments.length - 1].replace(/^on_failure:/, ''), direct: true };
}

/** The deepest step among ids that is a prefix of a field path such as steps[2].with.tag. */
export function stepForFieldPath(fieldPath: string, stepPaths: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const p of stepPaths) {
    if ((fieldPath === p || fieldPath.startsWith(`${p}.`) || fieldPath.startsWith(`${p}[`)) && (!best || p.length > best.length)) best = p;
  }
  return best;
}
