/**
 * The demo as a user runs it (`npm run demo -- --chaos`), in a child process: after a short chaos
 * run every catalog metric has at least one series on /metrics, and the stats API reports every
 * target of targets.json.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, prometheusName } from '../../src/index.js';
import { startDemoWorkload, type Workload } from '../support/workload.js';

const targetsFile = JSON.parse(
  readFileSync(new URL('../../examples/alert-publisher/targets.json', import.meta.url), 'utf8'),
) as { targets: Array<{ name: string; type: string }> };
// The file keeps one entry of an unsupported type on purpose: discovery rejects it.
const configuredTargets = targetsFile.targets
  .filter((t) => t.type !== 'msteams')
  .map((t) => t.name);

/** Sample lines of `/metrics` by metric family (histograms by their base name). */
function families(body: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const name = line.slice(0, line.search(/[{ ]/)).replace(/_(bucket|sum|count)$/, '');
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

describe('the demo service under chaos', () => {
  let demo: Workload;

  beforeAll(async () => {
    demo = await startDemoWorkload();
  }, 60_000);
  afterAll(async () => {
    await demo?.stop();
  });

  it('exposes every catalog metric on /metrics and every target in the stats API', async () => {
    // Let the pipeline deliver, retry and dead-letter for a few seconds of chaos.
    let missing: string[] = [];
    let statsTargets: string[] = [];
    const deadline = Date.now() + 30_000;
    do {
      await new Promise((r) => setTimeout(r, 1000));
      const body = await (await fetch(`http://${demo.scrapeTargets[0]}/metrics`)).text();
      const seen = families(body);
      missing = CATALOG.map((d) => prometheusName(d)).filter((name) => !seen.has(name));
      const stats = (await (
        await fetch(`${demo.statsUrl}/api/v2/publishing/stats?limit=1000`)
      ).json()) as { targets: Array<{ name: string; jobs: { total: number } }> };
      statsTargets = stats.targets.map((t) => t.name);
    } while (
      (missing.length > 0 || statsTargets.length < configuredTargets.length) &&
      Date.now() < deadline
    );

    expect(missing).toEqual([]);
    expect(statsTargets.sort()).toEqual([...configuredTargets].sort());
  }, 60_000);

  it('answers /health with a verdict and /trends with recorded points', async () => {
    const health = await fetch(`${demo.statsUrl}/api/v2/publishing/health`);
    expect([200, 503]).toContain(health.status);
    const verdict = (await health.json()) as { status: string; score: number };
    expect(['healthy', 'degraded', 'unhealthy']).toContain(verdict.status);
    expect(verdict.score).toBeGreaterThan(0);
    const trends = await fetch(`${demo.statsUrl}/api/v2/publishing/trends`);
    expect(trends.status).toBe(200);
  });
});
