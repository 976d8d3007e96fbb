import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsAggregator, TrendsDetector } from '../../src/index.js';
import { pipelineSnapshot } from '../stats/snapshots.js';
import {
  health,
  ODD_TARGET,
  recordTraffic,
  send,
  startFixture,
  type Fixture,
  type Reply,
} from './fixture.js';

const BASE = '/api/v2/publishing';

/** Responses kept for docs/api.md: `API_EXAMPLES_OUT=file npx vitest run test/http/api.test.ts`. */
const examples: Array<{ title: string; request: string; reply: Reply }> = [];
function keep(title: string, request: string, reply: Reply): Reply {
  examples.push({ title, request, reply });
  return reply;
}
afterAll(() => {
  const out = process.env['API_EXAMPLES_OUT'];
  if (out === undefined) return;
  const text = examples
    .map(
      (e) =>
        `### ${e.title}\n\n\`${e.request}\` → ${e.reply.status}\n\n\`\`\`json\n${JSON.stringify(e.reply.json, null, 2)}\n\`\`\`\n`,
    )
    .join('\n');
  writeFileSync(out, text);
});

describe('stats API on a real collector', () => {
  let f: Fixture;
  let now = Date.parse('2026-03-01T10:00:00Z');
  beforeAll(async () => {
    f = await startFixture({ cacheTtlMs: 0, clock: () => now });
    // The first collection is the window's baseline; the same traffic again, plus two more slack
    // jobs, is what the window then holds two (simulated) minutes later.
    await send(f.server.url, `${BASE}/stats`);
    recordTraffic(f.collector);
    f.collector.queue.recordJob('slack-ops', 'high', 'succeeded', 0.09, 0.01);
    f.collector.queue.recordJob('slack-ops', 'high', 'failed', 0.7, 0.01);
    f.ports.queue = { ...f.ports.queue, dlqSize: { 'webhook-audit': 5 } };
    now += 120_000;
  });
  afterAll(() => f.close());

  it('GET /metrics serves the Prometheus text of the same collector', async () => {
    const r = await send(f.server.url, '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    expect(r.text).toMatch(
      /^alert_history_publishing_jobs_processed_total\{[^}]*target="slack-ops"[^}]*state="succeeded"[^}]*\} 81$/m,
    );
  });

  it('GET /snapshot returns every sample keyed name{labels} and collector status', async () => {
    const r = keep(
      'Snapshot (excerpt)',
      `GET ${BASE}/snapshot`,
      await send(f.server.url, `${BASE}/snapshot`),
    );
    expect(r.status).toBe(200);
    expect(r.json.collectors.health).toMatchObject({ available: true, ok: true });
    expect(r.json.metrics['alert_history_publishing_queue_size{priority="medium"}']).toBe(8);
    expect(
      r.json.metrics[
        'alert_history_publishing_jobs_processed_total{state="dlq",target="webhook-audit"}'
      ],
    ).toBe(8);
    // Keep the documented example short.
    const metrics = Object.entries(r.json.metrics as Record<string, number>).filter(([k]) =>
      /queue_size|workers_|jobs_processed_total\{state="(succeeded|dlq)",target="webhook-audit"|target_health_status\{target="slack/.test(
        k,
      ),
    );
    examples[examples.length - 1]!.reply = {
      ...r,
      json: { ...r.json, metrics: Object.fromEntries(metrics) },
    };
  });

  it('GET /stats returns system stats, targets sorted by name and pagination fields', async () => {
    const r = keep(
      'Stats',
      `GET ${BASE}/stats?limit=2`,
      await send(f.server.url, `${BASE}/stats?limit=2`),
    );
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.json).toMatchObject({ total: 4, limit: 2, offset: 0 });
    expect(r.json.window).toMatchObject({ basis: 'window', seconds: 120 });
    // Only the jobs recorded after the baseline: 65 + 1 succeeded, 2 + 1 failed, 4 dead-lettered.
    expect(r.json.system.jobs).toEqual({ succeeded: 66, failed: 3, dlq: 4, total: 73 });
    expect(r.json.system.successRate).toBeCloseTo(66 / 73, 12);
    expect(r.json.system.jobsPerSecond).toBeCloseTo(73 / 120, 12);
    expect(r.json.system.targets).toEqual({
      total: 4,
      healthy: 4,
      degraded: 0,
      unhealthy: 0,
      unknown: 0,
    });
    expect(r.json.system.queue).toMatchObject({ depth: 10, capacity: 300 });
    expect(r.json.system.workers).toEqual({ active: 3, idle: 5 });
    expect(r.json.system.dlq).toMatchObject({ total: 5, change: 4, oldestEntryAgeSeconds: 30 });
    expect(r.json.system.healthScore.components.availability).toMatchObject({
      value: 100,
      healthy: 4,
      total: 4,
    });
    expect(r.json.targets.map((t: { name: string }) => t.name)).toEqual([
      'pagerduty-oncall',
      'slack-ops',
    ]);
  });

  it('GET /stats/{target} answers the exact, URL-decoded name', async () => {
    const r = keep(
      'One target',
      `GET ${BASE}/stats/slack-ops`,
      await send(f.server.url, `${BASE}/stats/slack-ops`),
    );
    expect(r.status).toBe(200);
    expect(r.json.target).toMatchObject({
      name: 'slack-ops',
      type: 'slack',
      jobs: { succeeded: 41, failed: 1, dlq: 0, total: 42 },
      circuitState: 'closed',
      dlqSize: 0,
      health: {
        status: 'healthy',
        consecutiveFailures: 0,
        checkLatencySeconds: 0.04,
        checkSuccessRate: 1,
      },
    });
    expect(r.json.target.successRate).toBeCloseTo(41 / 42, 12);
    // 42 jobs (≥ 10): the score uses the window success rate.
    expect(r.json.target.healthScore.components.successRate).toMatchObject({
      source: 'window',
      windowJobs: 42,
    });
    expect(r.json.target.healthScore.components.successRate.value).toBeCloseTo((100 * 41) / 42, 10);
    const audit = await send(f.server.url, `${BASE}/stats/webhook-audit`);
    expect(audit.json.target).toMatchObject({
      jobs: { succeeded: 6, failed: 0, dlq: 4, total: 10 },
      successRate: 0.6,
      dlqSize: 5,
      retries: { total: 2, byErrorType: { transient: 2, permanent: 0, unknown: 0 } },
    });
    expect(audit.json.target.errors).toMatchObject({ timeout: 1, serverError: 1, network: 0 });
    // 6 jobs at 0.6 s in (0.5, 0.75] and 4 at 4 s in (2.5, 5]: p50 = 0.5 + 0.25·5/6.
    expect(audit.json.target.latency.p50).toBeCloseTo(0.5 + 0.25 * (5 / 6), 12);
    expect(audit.json.target.latency.p95).toBeCloseTo(2.5 + 2.5 * (3.5 / 4), 12);
    // A prefix or substring of a name is not a match.
    const partial = await send(f.server.url, `${BASE}/stats/slack`);
    expect(partial.status).toBe(404);
    expect(partial.json).toEqual({
      error: { code: 'target_not_found', message: "unknown target 'slack'" },
    });
  });

  it('a target name with a slash, spaces and unicode round-trips', async () => {
    const r = await send(f.server.url, `${BASE}/stats/${encodeURIComponent(ODD_TARGET)}`);
    expect(r.status).toBe(200);
    expect(r.json.target.name).toBe(ODD_TARGET);
    expect(r.json.target.type).toBe('webhook');
    const listed = await send(f.server.url, `${BASE}/stats?type=webhook`);
    expect(listed.json.targets.map((t: { name: string }) => t.name)).toEqual([
      ODD_TARGET,
      'webhook-audit',
    ]);
  });

  it('GET /health is 200 with no reasons while everything is healthy', async () => {
    const r = keep(
      'Health: healthy',
      `GET ${BASE}/health`,
      await send(f.server.url, `${BASE}/health`),
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'healthy', reasons: [] });
    // 0.4·(66/73) + 0.3·100 + 0.2·0 (window p95 2.72 s ≥ 2 s) + 0.1·(1 − 10/300)·100
    expect(r.json.score).toBeCloseTo((0.4 * 6600) / 73 + 30 + 0 + 10 * (1 - 10 / 300), 10);
  });

  it('GET /trends is 404 not_configured without a trends detector', async () => {
    const r = await send(f.server.url, `${BASE}/trends`);
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('not_configured');
  });
});

describe('filters, sorting and pagination', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
    f.ports.targets = [
      health('slack-ops', 'slack', 'degraded'),
      health('pagerduty-oncall', 'pagerduty'),
      health('webhook-audit', 'webhook', 'unhealthy'),
      health(ODD_TARGET, 'webhook'),
    ];
  });
  afterAll(() => f.close());
  const names = (r: Reply) => r.json.targets.map((t: { name: string }) => t.name);

  it('filters by type and by health status, counting the filtered total', async () => {
    const webhooks = await send(f.server.url, `${BASE}/stats?type=webhook`);
    expect(webhooks.json.total).toBe(2);
    expect(names(webhooks)).toEqual([ODD_TARGET, 'webhook-audit']);
    const unhealthy = await send(f.server.url, `${BASE}/stats?status=unhealthy`);
    expect(names(unhealthy)).toEqual(['webhook-audit']);
    const both = await send(f.server.url, `${BASE}/stats?type=webhook&status=healthy`);
    expect(names(both)).toEqual([ODD_TARGET]);
    const none = await send(f.server.url, `${BASE}/stats?type=rootly`);
    expect(none.json).toMatchObject({ total: 0, targets: [] });
  });

  it('pages with limit and offset, an offset past the end giving an empty page', async () => {
    const all = names(await send(f.server.url, `${BASE}/stats`));
    expect(all).toEqual(['pagerduty-oncall', 'slack-ops', ODD_TARGET, 'webhook-audit']);
    const second = await send(f.server.url, `${BASE}/stats?limit=1&offset=1`);
    expect(second.json).toMatchObject({ total: 4, limit: 1, offset: 1 });
    expect(names(second)).toEqual(['slack-ops']);
    const last = await send(f.server.url, `${BASE}/stats?limit=3&offset=3`);
    expect(names(last)).toEqual(['webhook-audit']);
    const past = await send(f.server.url, `${BASE}/stats?offset=4`);
    expect(past.json).toMatchObject({ total: 4, targets: [] });
    expect((await send(f.server.url, `${BASE}/stats?limit=1000`)).status).toBe(200);
  });

  it('sorts by name, score or success rate, descending with a leading -', async () => {
    expect(names(await send(f.server.url, `${BASE}/stats?sort=-name`))).toEqual([
      'webhook-audit',
      ODD_TARGET,
      'slack-ops',
      'pagerduty-oncall',
    ]);
    const byScore = await send(f.server.url, `${BASE}/stats?sort=-score`);
    const scores = byScore.json.targets.map(
      (t: { healthScore: { score: number } }) => t.healthScore.score,
    );
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(byScore.json.targets[3].name).toBe('webhook-audit');
    const ascending = await send(f.server.url, `${BASE}/stats?sort=score`);
    expect(ascending.json.targets[0].name).toBe('webhook-audit');
    // success_rate: webhook-audit 6/10, pagerduty 18/20, slack 40/40, ODD 1/1 (since start).
    expect(names(await send(f.server.url, `${BASE}/stats?sort=success_rate`))).toEqual([
      'webhook-audit',
      'pagerduty-oncall',
      'slack-ops',
      ODD_TARGET,
    ]);
  });

  it('rejects bad query values with 400 and a JSON error naming the parameter', async () => {
    for (const query of [
      'limit=0',
      'limit=1001',
      'limit=-1',
      'limit=abc',
      'limit=1.5',
      'limit=',
      'offset=-1',
      'offset=1e3',
      'offset=99999999999',
      'status=broken',
      'sort=latency',
      'sort=--name',
      'type=',
      'limit=1&limit=2',
      'limt=10',
    ]) {
      const r = await send(f.server.url, `${BASE}/stats?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.json.error.code, query).toMatch(/^(invalid_parameter|unknown_parameter)$/);
      expect(r.json.error.message.length, query).toBeGreaterThan(0);
    }
  });
});

describe('health verdict over HTTP', () => {
  it('is 503 with reasons when targets are unhealthy, circuits open or a collector fails', async () => {
    const f = await startFixture({ cacheTtlMs: 0 });
    try {
      f.ports.targets[2] = health('webhook-audit', 'webhook', 'unhealthy');
      f.ports.queue = {
        ...f.ports.queue,
        circuitBreakers: { ...f.ports.queue.circuitBreakers, 'webhook-audit': 'open' },
      };
      const r = keep(
        'Health: degraded',
        `GET ${BASE}/health`,
        await send(f.server.url, `${BASE}/health`),
      );
      expect(r.status).toBe(503);
      expect(r.json.status).toBe('degraded');
      expect(r.json.reasons).toEqual([
        {
          code: 'targets_unhealthy',
          message: '1 of 4 target(s) unhealthy',
          targets: ['webhook-audit'],
        },
        { code: 'circuits_open', message: '1 circuit breaker(s) open', targets: ['webhook-audit'] },
      ]);
      f.ports.getStats = () => {
        throw new Error('queue port down');
      };
      const failing = await send(f.server.url, `${BASE}/health`);
      expect(failing.status).toBe(503);
      expect(failing.json.reasons[0]).toMatchObject({
        code: 'collector_errors',
        collectors: { queue: 'queue port down' },
      });
    } finally {
      await f.close();
    }
  });
});

describe('trends over HTTP', () => {
  it('answers insufficient_data before enough points and trends after', async () => {
    const trends = new TrendsDetector();
    const f = await startFixture({ trends });
    try {
      const early = await send(f.server.url, `${BASE}/trends`);
      expect(early.status).toBe(200);
      expect(early.json.successRate).toEqual({
        direction: 'insufficient_data',
        reason: 'too_few_points',
        unit: 'points',
        have: 0,
        needed: 36,
      });
      // 40 minutes at 10 s: 98 % success at 0.2 s, then 85 % at 0.6 s for the last 5 minutes.
      let succeeded = 0;
      let failed = 0;
      const durations: number[] = [];
      for (let i = 0; i < 240; i++) {
        const bad = i >= 210;
        succeeded += bad ? 85 : 98;
        failed += bad ? 15 : 2;
        for (let j = 0; j < 100; j++) durations.push(bad ? 0.6 : 0.2);
        trends.record(
          pipelineSnapshot({
            at: Date.parse('2026-03-01T10:00:00Z') + i * 10_000,
            targets: { 'slack-ops': { jobs: { succeeded, failed }, durations } },
            queue: { high: { size: 5 + (i >= 210 ? i - 209 : 0), capacity: 100 } },
          }),
        );
      }
      const r = keep('Trends', `GET ${BASE}/trends`, await send(f.server.url, `${BASE}/trends`));
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ points: 239, capacity: 360, intervalSeconds: 10 });
      expect(r.json.successRate.direction).toBe('degrading');
      expect(r.json.successRate.current).toBeCloseTo(0.85, 12);
      expect(r.json.successRate.baseline).toBeCloseTo(0.98, 12);
      // p95 in (0.5, 0.75] now against (0.1, 0.25] before.
      expect(r.json.latencyP95).toMatchObject({
        direction: 'degrading',
        currentSeconds: 0.7375,
        baselineSeconds: 0.2425,
      });
      expect(r.json.queueDepth).toMatchObject({ direction: 'growing', slopePerMinute: 6 });
      // A step that has lasted 5 minutes is in the spike baseline already: a trend, not a spike.
      expect(r.json.errorSpike.status).toBe('normal');
      expect(r.json.targets['slack-ops'].successRate.direction).toBe('degrading');
    } finally {
      await f.close();
    }
  });

  it('the server-owned detector records on its own and feeds the stats window', async () => {
    const f = await startFixture({ trends: { intervalMs: 20 } });
    try {
      await new Promise((r) => setTimeout(r, 120));
      expect(f.server.trends!.size).toBeGreaterThanOrEqual(3);
      // Baselines came from the detector, so the first /stats already has a window.
      const r = await send(f.server.url, `${BASE}/stats`);
      expect(r.json.window.basis).toBe('window');
      expect(f.server.aggregator.historySize).toBeGreaterThanOrEqual(1);
    } finally {
      await f.close();
    }
    expect(f.server.trends!.running).toBe(false);
  });
});

describe('caching', () => {
  it('ETag + If-None-Match answers 304 without a body; a new snapshot changes the ETag', async () => {
    const f = await startFixture({ cacheTtlMs: 60_000 });
    try {
      const first = await send(f.server.url, `${BASE}/stats`);
      const etag = first.headers['etag'] as string;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      const again = await send(f.server.url, `${BASE}/stats`, {
        headers: { 'If-None-Match': etag },
      });
      expect(again.status).toBe(304);
      expect(again.text).toBe('');
      expect(again.headers['etag']).toBe(etag);
      const weak = await send(f.server.url, `${BASE}/stats`, {
        headers: { 'If-None-Match': `"other", W/${etag}` },
      });
      expect(weak.status).toBe(304);
      const stale = await send(f.server.url, `${BASE}/stats`, {
        headers: { 'If-None-Match': '"other"' },
      });
      expect(stale.status).toBe(200);
      expect(stale.text).toBe(first.text);
    } finally {
      await f.close();
    }
    const g = await startFixture({ cacheTtlMs: 0 });
    try {
      const before = await send(g.server.url, `${BASE}/stats/slack-ops`);
      g.collector.queue.recordJob('slack-ops', 'high', 'failed', 1, 0);
      const after = await send(g.server.url, `${BASE}/stats/slack-ops`, {
        headers: { 'If-None-Match': before.headers['etag'] as string },
      });
      expect(after.status).toBe(200);
      expect(after.headers['etag']).not.toBe(before.headers['etag']);
    } finally {
      await g.close();
    }
  });

  it('concurrent requests share one collection, and requests within the TTL reuse it', async () => {
    const f = await startFixture({ cacheTtlMs: 60_000 });
    try {
      const replies = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          send(
            f.server.url,
            [`${BASE}/stats`, `${BASE}/health`, `${BASE}/snapshot`, `${BASE}/stats/slack-ops`][
              i % 4
            ]!,
          ),
        ),
      );
      expect(replies.every((r) => r.status === 200)).toBe(true);
      expect(f.collections()).toBe(1);
      await send(f.server.url, `${BASE}/stats?sort=-score`);
      expect(f.collections()).toBe(1);
    } finally {
      await f.close();
    }
  });

  it('HEAD answers the headers of GET without a body', async () => {
    const f = await startFixture({ cacheTtlMs: 60_000 });
    try {
      for (const path of [`${BASE}/stats`, `${BASE}/health`, `${BASE}/snapshot`, '/metrics']) {
        const get = await send(f.server.url, path);
        const head = await send(f.server.url, path, { method: 'HEAD' });
        expect(head.status, path).toBe(200);
        expect(head.text, path).toBe('');
        if (path !== '/metrics') {
          expect(head.headers['content-length'], path).toBe(String(Buffer.byteLength(get.text)));
          expect(head.headers['etag'], path).toBe(get.headers['etag']);
        }
      }
    } finally {
      await f.close();
    }
  });
});

describe('bearer token', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ token: 's3cret-token' });
  });
  afterAll(() => f.close());

  it('answers 401 with WWW-Authenticate for a missing or wrong token, on every endpoint', async () => {
    for (const path of [
      `${BASE}/stats`,
      `${BASE}/health`,
      `${BASE}/stats/slack-ops`,
      '/metrics',
      `${BASE}/nope`,
    ]) {
      const missing = await send(f.server.url, path);
      expect(missing.status, path).toBe(401);
      expect(missing.json, path).toEqual({
        error: { code: 'unauthorized', message: 'a bearer token is required' },
      });
      expect(missing.headers['www-authenticate'], path).toBe('Bearer realm="publishing-stats"');
    }
    for (const header of [
      'Bearer s3cret-tokeN',
      'Bearer s3cret-token-and-more',
      'Bearer s',
      'Basic czNjcmV0LXRva2Vu',
      's3cret-token',
    ]) {
      const wrong = await send(f.server.url, `${BASE}/stats`, {
        headers: { Authorization: header },
      });
      expect(wrong.status, header).toBe(401);
      expect(wrong.json.error.code).toBe('unauthorized');
    }
  });

  it('answers with the right token', async () => {
    const ok = await send(f.server.url, `${BASE}/stats`, {
      headers: { Authorization: 'Bearer s3cret-token' },
    });
    expect(ok.status).toBe(200);
    const metrics = await send(f.server.url, '/metrics', {
      headers: { Authorization: 'bearer s3cret-token' },
    });
    expect(metrics.status).toBe(200);
  });
});

describe('a custom aggregator and Prometheus text function', () => {
  it('uses the given window and SLO, and a metricsText function', async () => {
    const aggregator = new StatsAggregator({ windowMs: 60_000, slo: { p95LatencySeconds: 1 } });
    const f = await startFixture({
      aggregator,
      prometheus: false,
      metricsText: () => 'custom_metric 1\n',
    });
    try {
      const r = await send(f.server.url, `${BASE}/stats`);
      expect(r.json.window.requestedSeconds).toBe(60);
      expect(r.json.system.healthScore.components.performance.sloSeconds).toBe(1);
      const m = await send(f.server.url, '/metrics');
      expect(m.text).toBe('custom_metric 1\n');
      expect(m.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    } finally {
      await f.close();
    }
  });

  it('answers /metrics 404 when no exposition is configured', async () => {
    const f = await startFixture({ prometheus: false });
    try {
      const r = await send(f.server.url, '/metrics');
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe('not_configured');
    } finally {
      await f.close();
    }
  });
});
