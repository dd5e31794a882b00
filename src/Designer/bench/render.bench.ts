// npm run bench:render: how long the built editor (src/Server/wwwroot, `npm run build` first) takes in
// Chromium to go from the list to a 200-step workflow (STEPS=1000 for a bigger one) until it is
// interactive: fetched, parsed, laid out, fitted (data-settled) and its first step clickable. Blocks of
// a big workflow start collapsed and only nodes in view are rendered. The page's files and a canned
// API are served from this script, so no server is needed.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import { buildGraph } from '../src/model/graph';
import { parseWorkflow } from '../src/model/workflow';
import { generateWorkflow } from './generate';

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
// WWWROOT=/some/copy/ compares another build (e.g. the previous one) in the same minute on a busy machine.
const root = env.WWWROOT ?? new URL('../../Server/wwwroot/', import.meta.url).pathname;
// STEPS=20 npm run bench:render gives the fixed cost (page, API, editor) to compare with.
const steps = Number(env.STEPS ?? 200);
const text = generateWorkflow(steps).replace('id: generated', 'id: big');
const nodeCount = buildGraph(parseWorkflow(text).model!).nodes.length;
const chromiumPath = env.CHROMIUM ?? '/usr/bin/chromium';
const api: Record<string, unknown> = {
  '/api/me': { name: 'bench', role: 'admin' },
  '/api/definitions/big/versions': [{ version: 1, state: 'draft' }],
  '/api/definitions/big/versions/1': { id: 'big', version: 1, state: 'draft', text },
  '/api/activities': [], '/api/environments': [], '/api/definitions/big/validate': { valid: true, errors: [] },
};

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await page.addInitScript(() => sessionStorage.setItem('gantry.token', 'bench'));
  await page.route('http://designer.invalid/**', async route => {
    const path = new URL(route.request().url()).pathname;
    if (path.startsWith('/api/')) return route.fulfill({ json: api[path] ?? {} });
    return route.fulfill({ path: root + (path === '/' ? 'index.html' : path.slice(1)) });
  });
}, 60_000);

afterAll(async () => { await browser?.close(); });

describe(`editor on a ${steps}-step workflow (${nodeCount} nodes), built app in Chromium`, () => {
  bench('open: load, parse, lay out, fit and draw until the first step can be clicked', async () => {
    // A full page load each time: from navigation, as a user who opens a link to the workflow.
    await page.goto('about:blank');
    await page.goto('http://designer.invalid/#/workflows/big');
    await page.waitForSelector('.graph[data-settled="true"] .react-flow__node[data-id="steps[0]"] button.gnode-label', { timeout: 60_000 });
  }, { iterations: 5, warmupIterations: 1, time: 0 });
});
