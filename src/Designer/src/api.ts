// The only module that knows the server's routes and response shapes. Everything else uses the
// normalised types below, so following a server change is a one-file edit.
import { getToken, clearToken } from './auth';

export type Role = 'viewer' | 'operator' | 'approver' | 'admin';

export interface Me { name: string; role: Role }

export interface DefinitionSummary { id: string; latestVersion: number; publishedVersion: number | null; updatedAt: string }

export interface DefinitionVersion {
  id: string; version: number; state: 'draft' | 'published'; text: string;
  author?: string; comment?: string; createdAt?: string; publishedAt?: string;
}

export interface VersionSummary { version: number; state: 'draft' | 'published'; author?: string; comment?: string; createdAt?: string; publishedAt?: string }

export interface ValidationError { file?: string; line?: number; column?: number; path?: string; message: string }

export type RunStatus = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled' | 'superseded';

export interface Run {
  id: string; workflowId: string; workflowVersion?: number; environmentId?: string;
  inputs: Record<string, unknown>; status: RunStatus; trigger?: string; startedBy?: string;
  createdAt?: string; updatedAt?: string; message?: string;
}

export interface JournalEvent {
  sequence: number; type: string; time?: string; path?: string; stepId?: string; activity?: string;
  host?: string; message?: string; error?: { type?: string; message: string; where?: string };
  wait?: { kind?: string; signal?: string; description?: string }; signal?: string;
  status?: RunStatus; payload?: unknown; inputs?: unknown; outputs?: unknown; attempt?: number; actor?: string;
}

export interface WaitingStep { path: string; stepId?: string; signal: string; kind: string; description: string }

export interface RunDetail { run: Run; journal: JournalEvent[]; waiting: WaitingStep[] }

export interface EnvironmentSummary { id: string; name?: string; groups: string[] }

export interface EnvironmentDetail { id: string; name?: string; groups: Record<string, string[]>; hosts: string[] }

export interface LbServer { name: string; live: boolean; admin?: string; health?: string }
export interface LbGroup { name: string; state: 'live' | 'out' | 'inconsistent'; servers: LbServer[] }
export interface LbStatus { live: string[]; out: string[]; groups: LbGroup[] }

export interface JsonSchema {
  type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[];
  description?: string; default?: unknown; enum?: unknown[]; items?: JsonSchema;
  anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; pattern?: string; const?: unknown;
  additionalProperties?: boolean | JsonSchema;
}

export interface Activity { name: string; description: string; provider: string; example?: string; waits?: boolean; inputs: JsonSchema; outputs: JsonSchema }

/** An HTTP failure with the server's problem+json detail and any located validation errors. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly errors: ValidationError[] = []) {
    super(message);
  }
  get forbidden(): boolean { return this.status === 403; }
}

/** Raised on 401: the caller should show the sign-in page again. */
export const onUnauthorized = { handler: () => {} };

type Json = Record<string, unknown>;
const lower = <T extends string>(v: unknown, fallback: T): T => (typeof v === 'string' ? (v.toLowerCase() as T) : fallback);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : v == null ? undefined : String(v));

async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = getToken();
  if (token) headers.set('Authorization', `Bearer ${token}`);
  if (!headers.has('Accept')) headers.set('Accept', 'application/json');
  const response = await fetch(`/api${path}`, { ...init, headers });
  if (response.ok) return response;
  let message = `${response.status} ${response.statusText}`;
  let errors: ValidationError[] = [];
  try {
    const body = (await response.json()) as Json;
    message = str(body.detail) ?? str(body.title) ?? message;
    if (Array.isArray(body.errors)) errors = (body.errors as Json[]).map(normaliseError);
  } catch { /* not JSON */ }
  if (response.status === 401) { clearToken(); onUnauthorized.handler(); }
  throw new ApiError(response.status, message, errors);
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await request(path, init);
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

const post = (body?: unknown, contentType = 'application/json'): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': contentType },
  body: body === undefined ? undefined : typeof body === 'string' && contentType !== 'application/json' ? body : JSON.stringify(body),
});

function normaliseError(e: Json): ValidationError {
  return { file: str(e.file), line: typeof e.line === 'number' ? e.line : undefined, column: typeof e.column === 'number' ? e.column : undefined, path: str(e.path), message: str(e.message) ?? '' };
}

function normaliseVersion(v: Json): DefinitionVersion {
  return { id: str(v.id) ?? '', version: Number(v.version), state: lower(v.state, 'draft'), text: str(v.text) ?? '', author: str(v.author), comment: str(v.comment), createdAt: str(v.createdAt), publishedAt: str(v.publishedAt) };
}

function normaliseRun(r: Json): Run {
  return {
    id: str(r.id) ?? '', workflowId: str(r.workflowId ?? r.workflow) ?? '', workflowVersion: typeof r.workflowVersion === 'number' ? r.workflowVersion : undefined,
    environmentId: str(r.environmentId ?? r.environment), inputs: (r.inputs as Record<string, unknown>) ?? {}, status: lower(r.status, 'pending'),
    trigger: str(r.trigger), startedBy: str(r.startedBy), createdAt: str(r.createdAt), updatedAt: str(r.updatedAt), message: str(r.message),
  };
}

export function normaliseEvent(e: Json): JournalEvent {
  return { ...(e as unknown as JournalEvent), sequence: Number(e.sequence ?? 0), type: str(e.type) ?? '', status: e.status ? lower(e.status, 'running') : undefined };
}

function serverLive(s: Json): boolean {
  if (typeof s.live === 'boolean') return s.live;
  if (typeof s.isLive === 'boolean') return s.isLive;
  return lower<string>(s.admin, '') === 'ready' && lower<string>(s.health, '') !== 'down';
}

export const api = {
  /** Who the token belongs to; null when the server has no such route (then 403s mean read-only). */
  async me(): Promise<Me | null> {
    try {
      const me = await json<Json>('/me');
      return { name: str(me.name) ?? '', role: lower(me.role, 'viewer') };
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 405)) return null;
      throw e;
    }
  },

  async definitions(): Promise<DefinitionSummary[]> {
    const list = await json<Json[]>('/definitions');
    return list.map(d => ({ id: str(d.id) ?? '', latestVersion: Number(d.latestVersion ?? 0), publishedVersion: d.publishedVersion == null ? null : Number(d.publishedVersion), updatedAt: str(d.updatedAt) ?? '' }));
  },

  async definition(id: string, version?: number): Promise<DefinitionVersion> {
    const path = version === undefined ? `/definitions/${enc(id)}` : `/definitions/${enc(id)}/versions/${version}`;
    return normaliseVersion(await json<Json>(path));
  },

  async versions(id: string): Promise<VersionSummary[]> {
    const list = await json<Json[]>(`/definitions/${enc(id)}/versions`);
    return list.map(v => ({ version: Number(v.version), state: lower(v.state, 'draft'), author: str(v.author), comment: str(v.comment), createdAt: str(v.createdAt), publishedAt: str(v.publishedAt) }));
  },

  /** Validates without saving; resolves to the errors (empty when valid). The server answers 200 with the problems. */
  async validate(id: string, text: string): Promise<ValidationError[]> {
    const report = await json<Json>(`/definitions/${enc(id)}/validate`, post(text, 'application/yaml'));
    return Array.isArray(report?.errors) ? (report.errors as Json[]).map(normaliseError) : [];
  },

  async save(id: string, text: string, comment: string): Promise<DefinitionVersion> {
    const query = comment ? `?comment=${encodeURIComponent(comment)}` : '';
    return normaliseVersion(await json<Json>(`/definitions/${enc(id)}/versions${query}`, post(text, 'application/yaml')));
  },

  async publish(id: string, version: number): Promise<DefinitionVersion> {
    return normaliseVersion(await json<Json>(`/definitions/${enc(id)}/versions/${version}/publish`, post()));
  },

  async startRun(workflow: string, environment: string, inputs: Record<string, unknown>): Promise<Run> {
    return normaliseRun(await json<Json>(`/workflows/${enc(workflow)}/runs`, post({ environment, inputs })));
  },

  async runs(filter: { workflow?: string; environment?: string; trigger?: string; limit?: number } = {}): Promise<Run[]> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') query.set(k, String(v));
    const body = await json<Json[] | { items: Json[] }>(`/runs${query.size ? `?${query}` : ''}`);
    return (Array.isArray(body) ? body : body.items).map(normaliseRun);
  },

  async run(id: string): Promise<RunDetail> {
    const body = await json<Json>(`/runs/${enc(id)}`);
    const waiting = Array.isArray(body.waiting) ? (body.waiting as Json[]).map(w => ({ path: str(w.path) ?? '', stepId: str(w.stepId), signal: str(w.signal) ?? '', kind: str(w.kind) ?? '', description: str(w.description) ?? '' })) : [];
    return { run: normaliseRun(body.run as Json), journal: ((body.journal as Json[]) ?? []).map(normaliseEvent), waiting };
  },

  async cancel(id: string): Promise<void> { await request(`/runs/${enc(id)}/cancel`, post()); },

  /** Retries a failed or cancelled run in the same run id, from a step id (default: the failed step, or the nearest load-balancer step before it once on_failure ran). */
  async retry(id: string, from?: string): Promise<{ fromStep?: string; reason: string }> {
    const body = await json<Json>(`/runs/${enc(id)}/retry`, post(from ? { from } : {}));
    return { fromStep: str(body.fromStep), reason: str(body.reason) ?? '' };
  },

  /** Answers a step that failed under on_error: ask. */
  async answer(id: string, answer: 'retry' | 'skip' | 'abort', step?: string): Promise<void> {
    await request(`/runs/${enc(id)}/answer`, post({ answer, step }));
  },

  async signal(id: string, name: string, payload: unknown): Promise<void> {
    await request(`/runs/${enc(id)}/signals/${enc(name)}`, post(payload ?? {}));
  },

  /** The raw event stream (server-sent events); read with readEvents in model/sse. */
  async events(id: string, after: number, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const response = await request(`/runs/${enc(id)}/events?after=${after}`, { headers: { Accept: 'text/event-stream' }, signal });
    if (!response.body) throw new ApiError(0, 'the browser gave no response stream');
    return response.body;
  },

  async environments(): Promise<EnvironmentSummary[]> {
    const list = await json<Json[]>('/environments');
    return list.map(e => ({ id: str(e.id) ?? '', name: str(e.name), groups: Array.isArray(e.groups) ? (e.groups as string[]) : Object.keys((e.groups as Json) ?? {}) }));
  },

  async environment(id: string): Promise<EnvironmentDetail> {
    const e = await json<Json>(`/environments/${enc(id)}`);
    const groups: Record<string, string[]> = {};
    for (const [name, g] of Object.entries((e.groups as Json) ?? {})) groups[name] = Array.isArray(g) ? (g as string[]) : (((g as Json)?.hosts as string[]) ?? []);
    const hosts = Array.isArray(e.hosts) ? (e.hosts as string[]) : Object.keys((e.hosts as Json) ?? {});
    return { id: str(e.id) ?? id, name: str(e.name), groups, hosts };
  },

  async loadBalancer(id: string): Promise<LbStatus> {
    const body = await json<Json>(`/environments/${enc(id)}/status`);
    const groups: LbGroup[] = ((body.groups as Json[]) ?? []).map(g => ({
      name: str(g.name) ?? '', state: lower(g.state, 'inconsistent'),
      servers: ((g.servers as Json[]) ?? []).map(s => ({ name: str(s.name) ?? '', live: serverLive(s), admin: str(s.admin), health: str(s.health) })),
    }));
    return {
      live: (body.live as string[]) ?? groups.filter(g => g.state === 'live').map(g => g.name),
      out: (body.out as string[]) ?? groups.filter(g => g.state === 'out').map(g => g.name),
      groups,
    };
  },

  async activities(): Promise<Activity[]> {
    const list = await json<Json[]>('/activities');
    return list.map(a => ({ name: str(a.name) ?? '', description: str(a.description) ?? '', provider: str(a.provider) ?? (str(a.name) ?? '').split('.')[0], example: str(a.example), waits: a.waits === true, inputs: (a.inputs as JsonSchema) ?? {}, outputs: (a.outputs as JsonSchema) ?? {} }));
  },
};

function enc(s: string): string { return encodeURIComponent(s); }
