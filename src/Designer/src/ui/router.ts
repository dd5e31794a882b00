// Hash routes, so the server only has to serve index.html at one path.
import { useEffect, useState } from 'react';
import { mayShowRouteChange } from './leaveGuard';

export type Route =
  | { page: 'list' }
  | { page: 'editor'; id: string; version?: number; fresh?: boolean }
  | { page: 'compare'; id: string; from?: number; to?: number }
  | { page: 'start'; id: string }
  | { page: 'run'; id: string };

export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const q = new URLSearchParams(query);
  const num = (k: string) => (q.has(k) ? Number(q.get(k)) : undefined);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'workflows' && parts[1]) {
    if (parts[2] === 'compare') return { page: 'compare', id: parts[1], from: num('from'), to: num('to') };
    if (parts[2] === 'run') return { page: 'start', id: parts[1] };
    return { page: 'editor', id: parts[1], version: num('version'), fresh: q.has('new') };
  }
  if (parts[0] === 'runs' && parts[1]) return { page: 'run', id: parts[1] };
  return { page: 'list' };
}

export const href = {
  list: () => '#/',
  /** A workflow that does not exist yet: the editor opens an empty draft. */
  fresh: (id: string) => `#/workflows/${encodeURIComponent(id)}?new`,
  editor: (id: string, version?: number) => `#/workflows/${encodeURIComponent(id)}${version ? `?version=${version}` : ''}`,
  compare: (id: string, from?: number, to?: number) => `#/workflows/${encodeURIComponent(id)}/compare${from && to ? `?from=${from}&to=${to}` : ''}`,
  start: (id: string) => `#/workflows/${encodeURIComponent(id)}/run`,
  run: (id: string) => `#/runs/${encodeURIComponent(id)}`,
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = (e: HashChangeEvent) => { if (mayShowRouteChange(e)) setRoute(parseRoute(location.hash)); };
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
