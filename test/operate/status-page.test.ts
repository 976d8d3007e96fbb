/// <reference lib="dom" />
/**
 * The built-in status page in a real headless Chromium against the running demo: it loads with no
 * console errors, shows the demo's targets, and follows a change (a target removed from the
 * targets file disappears). The test leaves a screenshot in test-output/status-page.png.
 * Then against small stats servers: with a bearer token (from the `#token=` fragment, and pasted
 * into the page's form), and with no queue data (no queue port, a failing one), where the page
 * must show "no data" and keep updating. Chromium enforces the page's Content-Security-Policy,
 * so a script or style the policy did not allow would show here as a console error.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HealthCollector,
  PublishingMetricsCollector,
  QueueCollector,
  startStatsServer,
  type StatsServer,
} from '../../src/index.js';
import { FakePorts, health, recordTraffic } from '../http/fixture.js';
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

const BASE = '/api/v2/publishing';
const TOKEN = 'status-page.Token~42';

/** Console errors and uncaught exceptions of a page (CSP violations are console errors). */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

/** A stats server over a real collector whose ports are `ports`; `queue: false` registers none. */
async function statsServer(
  ports: FakePorts,
  options: { queue: boolean; token?: string },
): Promise<{ server: StatsServer; collector: PublishingMetricsCollector }> {
  const collector = new PublishingMetricsCollector({ meterProvider: false });
  collector.registerCollector(new HealthCollector(ports));
  if (options.queue) collector.registerCollector(new QueueCollector(ports));
  recordTraffic(collector);
  const server = await startStatsServer({
    source: collector,
    port: 0,
    trends: false,
    cacheTtlMs: 0,
    statusPageRefreshMs: 500,
    ...(options.token !== undefined ? { token: options.token } : {}),
  });
  return { server, collector };
}

const rows = (page: Page, n: number) =>
  page.waitForFunction(
    (count) => document.querySelectorAll('tr[data-target]').length === count,
    n,
    {
      timeout: 10_000,
    },
  );

/** Waits until the page has rendered `more` further polls than it had. */
async function keepsUpdating(page: Page, more: number): Promise<void> {
  const before = Number(await page.evaluate(() => document.body.dataset['renders'] ?? '0'));
  await page.waitForFunction(
    (target) => Number(document.body.dataset['renders'] ?? '0') >= target,
    before + more,
    { timeout: 10_000 },
  );
}

describe.skipIf(executablePath === undefined)(
  'status page with a token or without queue data',
  () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('with a bearer token: loads without it, then shows the data with the token from #token= or the form', async () => {
      const ports = new FakePorts();
      const { server, collector } = await statsServer(ports, { queue: true, token: TOKEN });
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const problems = watch(page);
        const response = await page.goto(`${server.url}${BASE}/#token=${TOKEN}`);
        expect(response?.status()).toBe(200);
        await rows(page, ports.targets.length);
        expect(await page.textContent('#status')).toMatch(/HEALTHY|DEGRADED|UNHEALTHY/);
        // The token leaves the address bar (history, screenshots, shoulder-surfing).
        expect(page.url()).toBe(`${server.url}${BASE}/`);
        expect(await page.isVisible('#auth')).toBe(false);
        // A reload in the same tab keeps working without the fragment.
        await page.reload();
        await rows(page, ports.targets.length);
        expect(problems).toEqual([]);

        // Another tab, no token: the page asks for it, then works with the pasted one.
        const pasted = await context.newPage();
        const pastedProblems = watch(pasted);
        await pasted.goto(`${server.url}${BASE}/`);
        await pasted.waitForSelector('#auth', { state: 'visible', timeout: 10_000 });
        expect(await pasted.textContent('#auth-message')).toBe('this server requires a token');
        expect(await pasted.locator('tr[data-target]').count()).toBe(0);
        await pasted.fill('#token', 'not-the-token');
        await pasted.click('#auth button');
        await pasted.waitForFunction(
          () => document.getElementById('auth-message')?.textContent === 'the token was refused',
          undefined,
          { timeout: 10_000 },
        );
        await pasted.fill('#token', TOKEN);
        await pasted.click('#auth button');
        await rows(pasted, ports.targets.length);
        await pasted.waitForSelector('#auth', { state: 'hidden', timeout: 10_000 });
        // The only console errors are the browser's own lines for the refused polls.
        expect(pastedProblems.filter((p) => !/status of 401/.test(p))).toEqual([]);
        expect(pastedProblems.length).toBeGreaterThan(0);
      } finally {
        await context.close();
        await server.close();
        await collector.shutdown();
      }
    }, 60_000);

    it('without a queue port, and with a failing one: shows "no data" and keeps updating', async () => {
      const absent = new FakePorts();
      const failing = new FakePorts();
      failing.getStats = () => {
        throw new Error('queue port down');
      };
      const servers = [
        await statsServer(absent, { queue: false }),
        await statsServer(failing, { queue: true }),
      ];
      const context = await browser.newContext();
      try {
        for (const [i, ports] of [absent, failing].entries()) {
          const { server } = servers[i]!;
          const page = await context.newPage();
          const problems = watch(page);
          await page.goto(`${server.url}${BASE}/`);
          await rows(page, ports.targets.length);
          expect(await page.isVisible('#no-queue')).toBe(true);
          const queueCard = page.locator('.card', { hasText: 'queue depth' });
          expect(await queueCard.locator('b').textContent()).toBe('no data');
          await keepsUpdating(page, 2);
          // A change after those polls still shows: a new target appears.
          ports.targets = [...ports.targets, health('teams-new', 'webhook')];
          await rows(page, ports.targets.length);
          expect(await page.textContent('#error')).toBe('');
          if (ports === failing) {
            expect(await page.textContent('#collectors')).toMatch(/queue ✗/);
            // /health answers 503 for the failed collector, as probes need; the page shows why.
            expect(await page.textContent('#status')).toMatch(/^(UNHEALTHY|DEGRADED) .*queue/);
            expect(problems.filter((p) => !/status of 503/.test(p))).toEqual([]);
          } else {
            expect(problems).toEqual([]);
          }
          await page.close();
        }
      } finally {
        await context.close();
        for (const { server, collector } of servers) {
          await server.close();
          await collector.shutdown();
        }
      }
    }, 60_000);
  },
);
