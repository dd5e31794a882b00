// Takes docs/screenshots/editor.png and run.png from a running designer (default: vite preview with ?mock).
// Usage: npm run build && (npx vite preview --host 127.0.0.1 --port 4817 &) && npm run screenshots [-- BASE_URL]
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:4817/?mock';
const out = new URL('../../../docs/screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'gantry-shots-')), {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  viewport: { width: 1600, height: 900 },
});
try {
  const page = context.pages()[0] ?? await context.newPage();
  await page.goto(`${base}#/workflows/rolling-deploy`);
  await page.getByRole('button', { name: /deploy_out_1/ }).click();
  await page.getByText('Inputs (with)').waitFor();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(out, 'editor.png') });

  await page.goto(`${base}#/runs/01JDX4R7Q2`);
  await page.getByText('Load balancer · sandbox').waitFor();
  await page.locator('.host-summary').first().waitFor({ timeout: 20000 });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(out, 'run.png') });
  console.log(`wrote ${out}editor.png and ${out}run.png`);
} finally {
  await context.close();
}
