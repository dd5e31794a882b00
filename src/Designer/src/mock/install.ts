// A canned API answered in the browser (?mock in the URL): for screenshots and for trying the UI
// without a server. It mirrors the real routes that api.ts calls.
import schema from '../../../../schemas/workflow.schema.json';
import dailyRelease from '../../../../workflows/daily-release.yaml?raw';
import hotfix from '../../../../workflows/hotfix.yaml?raw';
import rollingDeploy from '../../../../workflows/rolling-deploy.yaml?raw';
import { liveEvents, runJournal } from './runScript';

type Schema = Record<string, unknown>;

const descriptions: Record<string, string> = {
  'git.latest-tag': 'Finds the highest vX.Y.Z tag (stable), the newest tag, or checks an exact tag.',
  'git.flow': 'git flow hotfix/release start and finish, with plain git.',
  'git.commit-push': 'Commits paths on a branch and pushes.',
  'git.wait-merged': 'Waits for a pull request merged into a branch.',
  'lb.live': 'Makes only these groups live.', 'lb.flip': 'Swaps the live and the out group.', 'lb.all': 'Makes every group live.',
  'lb.restore': 'Puts the load balancer back as it was before the run.', 'lb.status': 'Reads the load balancer.',
  'deploy.release': 'Deploys a tag to a group\'s hosts; a failed host goes back to its previous release.',
  'http.check': 'Checks a URL answers as expected.', 'log': 'Writes a message to the journal.',
};

function activities() {
  const defs = (schema as unknown as { $defs: Record<string, { allOf?: { if: Schema; then: Schema }[] }> }).$defs;
  return (defs.action_step.allOf ?? []).map(rule => {
    const name = ((rule.if.properties as Schema).uses as { const: string }).const;
    const inputs = (((rule.then.properties as Schema) ?? {}).with as Schema) ?? {};
    return { name, provider: name.includes('.') ? name.split('.')[0] : 'core', description: descriptions[name] ?? '', inputs, outputs: {} };
  });
}

const rollingV1 = rollingDeploy.replace('  - id: flip\n    uses: lb.flip\n', '  - uses: lb.flip\n').replace('  - id: all_live\n    uses: lb.all\n', '');
const rollingV2 = rollingDeploy.replace('ref: "{{ inputs.ref }}"', 'ref: stable');
const definitions: Record<string, { text: string; state: string; comment: string }[]> = {
  'hotfix': [{ text: hotfix, state: 'published', comment: 'imported' }],
  'rolling-deploy': [
    { text: rollingV1, state: 'published', comment: 'first rollout' },
    { text: rollingV2, state: 'published', comment: 'flip step id' },
    { text: rollingDeploy, state: 'draft', comment: 'both groups live at the end; ref input' },
  ],
  'daily-release': [{ text: dailyRelease, state: 'published', comment: 'imported' }],
};

const environments = {
  sandbox: { id: 'sandbox', name: 'Sandbox (simulated fleet, real local git)', groups: { group1: { hosts: ['web1', 'web2'] }, group2: { hosts: ['web3', 'web4'] } }, hosts: { web1: {}, web2: {}, web3: {}, web4: {} } },
  prod: { id: 'prod', name: 'Production', groups: { group1: { hosts: ['web1', 'web2'] }, group2: { hosts: ['web3', 'web4'] } }, hosts: { web1: {}, web2: {}, web3: {}, web4: {} } },
};

const started = Date.now();
const run = { id: '01JDX4R7Q2', workflowId: 'rolling-deploy', workflowVersion: 2, environmentId: 'sandbox', inputs: { ref: 'stable' }, status: 'running', trigger: 'http', startedBy: 'ann', createdAt: new Date(started - 90_000).toISOString(), updatedAt: new Date().toISOString() };
const runs = [run, { ...run, id: '01JDW9K1ZC', workflowId: 'hotfix', workflowVersion: 1, status: 'succeeded', createdAt: new Date(started - 86_400_000).toISOString() }];

function lb() {
  const secondDone = Date.now() - started > 4000;
  const group = (name: string, state: string, servers: string[]) => ({ name, state, servers: servers.map(s => ({ name: s, admin: state === 'live' ? 'ready' : 'maint', health: 'up' })) });
  return { groups: [group('group1', secondDone ? 'out' : 'out', ['web1', 'web2']), group('group2', 'live', ['web3', 'web4'])] };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function route(method: string, path: string, url: URL): Response | Promise<Response> {
  let m: RegExpMatchArray | null;
  if (path === '/me') return json({ name: 'ann', role: 'admin' });
  if (path === '/definitions') return json(Object.entries(definitions).map(([id, v]) => ({ id, latestVersion: v.length, publishedVersion: v.filter(x => x.state === 'published').length || null, updatedAt: new Date(started - 3_600_000 * v.length).toISOString() })));
  if ((m = path.match(/^\/definitions\/([^/]+)$/))) {
    const list = definitions[m[1]];
    return list ? json(view(m[1], list.length)) : json({ title: 'Not found', detail: `no definition '${m[1]}'` }, 404);
  }
  if ((m = path.match(/^\/definitions\/([^/]+)\/versions$/)) && method === 'GET') return json(definitions[m[1]].map((v, i) => ({ version: i + 1, state: v.state, comment: v.comment, author: 'ann', createdAt: new Date(started).toISOString() })));
  if ((m = path.match(/^\/definitions\/([^/]+)\/versions\/(\d+)$/))) return json(view(m[1], Number(m[2])));
  if ((m = path.match(/^\/definitions\/([^/]+)\/validate$/))) return json({ valid: true, errors: [] });
  if (path === '/runs') return json({ items: runs, offset: 0, limit: 50 });
  if ((m = path.match(/^\/runs\/([^/]+)$/))) return json({ run, journal: runJournal(started), waiting: [] });
  if ((m = path.match(/^\/runs\/([^/]+)\/events$/))) return events(Number(url.searchParams.get('after') ?? 0));
  if (path === '/environments') return json(Object.values(environments).map(e => ({ id: e.id, name: e.name, loadBalancer: 'sandbox', groups: Object.keys(e.groups) })));
  if ((m = path.match(/^\/environments\/([^/]+)$/))) return json(environments[m[1] as keyof typeof environments]);
  if ((m = path.match(/^\/environments\/([^/]+)\/status$/))) return json(lb());
  if (path === '/activities') return json(activities());
  if ((m = path.match(/^\/workflows\/([^/]+)\/runs$/))) return json(run, 202);
  return json({ title: 'Not found', detail: `mock has no ${method} ${path}` }, 404);
}

function view(id: string, version: number) {
  const v = definitions[id][version - 1];
  return { id, version, state: v.state, text: v.text, comment: v.comment, author: 'ann', createdAt: new Date(started).toISOString() };
}

function events(after: number): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      liveEvents(started).filter(e => e.sequence > after).forEach((e, i) => setTimeout(() => {
        controller.enqueue(encoder.encode(`id: ${e.sequence}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`));
      }, 400 * (i + 1)));
    },
  });
  return new Response(stream, { headers: { 'Content-Type': 'text/event-stream' } });
}

export async function installMockApi(): Promise<void> {
  sessionStorage.setItem('gantry.token', sessionStorage.getItem('gantry.token') ?? 'mock-token');
  const real = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, location.href);
    if (!url.pathname.startsWith('/api/')) return real(input, init);
    return route((init?.method ?? 'GET').toUpperCase(), url.pathname.slice(4), url);
  };
}
