/// <reference lib="dom" />
/**
 * The built-in status page in a real headless Chromium against the running demo: it loads with no
 * console errors, shows the demo's targets, and follows a change (a target removed from the
 * targets file disappears). The test leaves a screenshot in test-output/status-page.png.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/backends.js';
import { CHROMIUM_ARGS, requireChromium } from '../support/chromium.js';
import { startDemoWorkload, type Workload } from '../support/workload.js';

const executablePath = requireChromium();

interface TargetsFile {
  targets: Array<{ name: string; type: string }>;
}

describe.skipIf(executablePath === undefined)('status page in a browser', () => {
  let dir: string;
  let targetsFile: string;
  let demo: Workload;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'status-page-'));
    targetsFile = join(dir, 'targets.json');
    await copyFile(join(REPO_ROOT, 'examples/alert-publisher/targets.json'), targetsFile);
    demo = await startDemoWorkload({ targetsFile, chaos: false, rate: 20 });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('shows the demo targets without console errors and follows a removed target', async () => {
    const file = JSON.parse(await readFile(targetsFile, 'utf8')) as TargetsFile;
    const valid = file.targets.filter((t) => t.type !== 'msteams').map((t) => t.name);
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));

    const response = await page.goto(`${demo.statsUrl}/api/v2/publishing/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    await page.waitForFunction(
      (n) => document.querySelectorAll('tr[data-target]').length === n,
      valid.length,
      { timeout: 20_000 },
    );
    const shown = await page.$$eval('tr[data-target]', (rows) =>
      rows.map((r) => r.getAttribute('data-target')),
    );
    expect([...shown].sort()).toEqual([...valid].sort());
    expect(await page.textContent('#status')).toMatch(/HEALTHY|DEGRADED|UNHEALTHY/);
    expect(await page.locator('.card').count()).toBeGreaterThanOrEqual(5);

    const removed = 'webhook-ticketing';
    await writeFile(
      targetsFile,
      JSON.stringify({ targets: file.targets.filter((t) => t.name !== removed) }, null, 2),
    );
    await page.waitForFunction(
      (name) =>
        document.querySelectorAll('tr[data-target]').length > 0 &&
        document.querySelector(`tr[data-target="${name}"]`) === null,
      removed,
      { timeout: 30_000 },
    );
    expect(await page.locator('tr[data-target]').count()).toBe(valid.length - 1);

    await mkdir(join(REPO_ROOT, 'test-output'), { recursive: true });
    await page.screenshot({
      path: join(REPO_ROOT, 'test-output', 'status-page.png'),
      fullPage: true,
    });
    expect(problems).toEqual([]);
  }, 90_000);
});
