/**
 * The fleet stats API against backends the test controls over real HTTP: a canned answer gives
 * hand-computed figures; a backend that is down, slow, drips, or answers garbage gives 503 JSON
 * with the reason within the documented deadline, and the next good answer is served again.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../src/cli/stats-args.js';
import { FleetStatsSource } from '../../src/fleet/fleet-stats.js';
import { createQueryClient } from '../../src/fleet/query-client.js';
import { startStatsServer, type StatsServer } from '../../src/index.js';
import { freePort } from '../support/backends.js';

const BASE = '/api/v2/publishing';
const TIMEOUT_MS = 300;

type Behaviour = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A fake query API whose behaviour each test sets; counts the requests it gets. */
class FakeBackend {
  behaviour: Behaviour = (_req, res) => res.end();
  requests: Array<{ path: string; query: string }> = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const params = new URLSearchParams(body);
        this.requests.push({ path: req.url ?? '', query: params.get('query') ?? '' });
        this.behaviour(req, res, body);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value));
};

/** One vector element of a combined query's part. */
const el = (part: string, labels: Record<string, string>, value: number | string) => ({
  metric: { ...labels, fleet_part: part },
  value: [1_796_000_000, String(value)],
});

/**
 * Target slack-ops over the window: 90 delivered + 10 failed across replicas; buckets 50 jobs
 * ≤ 0.5 s and 50 in (0.5, 1] with a dip at 0.75 (separately extrapolated increases); worst
 * status degraded, most open breaker half-open; queue half full; DLQ 7 now, 3 a window ago; the
 * queue collector down on replica r2.
 */
const CANNED = [
  el('jobs_processed_total', { target: 'slack-ops', state: 'succeeded' }, 90),
  el('jobs_processed_total', { target: 'slack-ops', state: 'failed' }, 10),
  el('jobs_processed_total', { target: 'slack-ops', state: 'dlq' }, 0),
  el('publisher_errors_total', { target: 'slack-ops', reason: 'timeout' }, 4),
  el('latency', { target: 'slack-ops', le: '0.5' }, 50),
  el('latency', { target: 'slack-ops', le: '0.75' }, 40),
  el('latency', { target: 'slack-ops', le: '1' }, 100),
  el('latency', { target: 'slack-ops', le: '+Inf' }, 100),
  el('target_health_status', { target: 'slack-ops', type: 'slack' }, 2),
  el('target_success_rate', { target: 'slack-ops' }, 0.8),
  el('target_consecutive_failures', { target: 'slack-ops' }, 'NaN'),
  el('circuit_breaker_state', { target: 'slack-ops' }, 1),
  el('dlq_size', { target: 'slack-ops' }, 7),
  el('queue_size', { priority: 'high' }, 50),
  el('queue_capacity', { priority: 'high' }, 100),
  el('workers_active', {}, 12),
  el('dlq_before', {}, 3),
  el('collector_up', { collector: 'queue' }, 0),
  el('collector_up', { collector: 'health' }, 1),
  el('collector_down', { collector: 'queue', instance: 'r2:9464' }, 0),
  el('replicas', {}, 3),
];

/** The canned elements of the parts a query asks for (as a backend would answer it). */
const cannedAnswer = (res: ServerResponse, body: string) => {
  const query = new URLSearchParams(body).get('query') ?? '';
  const result = CANNED.filter((e) => query.includes(`"fleet_part", "${e.metric.fleet_part}"`));
  json(res, 200, { status: 'success', data: { resultType: 'vector', result } });
};

async function get(url: string) {
  const started = performance.now();
  const res = await fetch(url);
  const text = await res.text();
  return {
    status: res.status,
    body: JSON.parse(text),
    ms: performance.now() - started,
    retryAfter: res.headers.get('retry-after'),
  };
}

describe('fleet stats from a query API the test controls', () => {
  const backend = new FakeBackend();
  let server: StatsServer | undefined;
  let fleet: FleetStatsSource;

  beforeAll(async () => {
    await backend.start();
  });
  afterAll(async () => {
    await backend.stop();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(options: { cacheTtlMs?: number } = {}) {
    fleet = new FleetStatsSource({
      url: backend.url,
      timeoutMs: TIMEOUT_MS,
      cacheTtlMs: options.cacheTtlMs ?? 1,
      evaluationDelayMs: 0,
    });
    const started = await startStatsServer({ fleet, port: 0, trends: false });
    server = started;
    backend.requests = [];
    return started;
  }

  it('computes targets, system and health from three parallel queries', async () => {
    backend.behaviour = (_req, res, body) => cannedAnswer(res, body);
    await serve();
    const { status, body } = await get(`${server!.url}${BASE}/stats`);
    expect(status).toBe(200);
    expect(backend.requests.map((r) => r.path)).toEqual(Array(3).fill('/api/v1/query'));
    expect(backend.requests.map((r) => r.query).join('\n')).toContain(
      'sum by (target, state) (increase(alert_history_publishing_jobs_processed_total[300s]))',
    );
    expect(body.source).toBe('prometheus');
    expect(body.fleet).toEqual({ replicas: 3 });
    const [t] = body.targets;
    expect(t.name).toBe('slack-ops');
    expect(t.jobs).toEqual({ succeeded: 90, failed: 10, dlq: 0, total: 100 });
    expect(t.successRate).toBe(0.9);
    expect(t.errors).toEqual({ timeout: 4 });
    // Monotonic: the dip at 0.75 counts as 50. p95: rank 95 → 0.75 + 0.25 · (95 − 50) / 50.
    expect(t.latency.p95).toBeCloseTo(0.975, 12);
    expect(t.health).toMatchObject({ status: 'degraded', checkSuccessRate: 0.8 });
    expect(t.health.consecutiveFailures).toBeNull();
    expect(t.circuitState).toBe('half_open');
    expect(t.dlqSize).toBe(7);
    // 0.4·90 + 0.3·50 + 0.2·100·(1 − 0.975/2) + 0.1·50
    expect(t.healthScore.score).toBeCloseTo(36 + 15 + 10.25 + 5, 9);
    expect(body.system.queue).toMatchObject({ depth: 50, capacity: 100, utilization: 0.5 });
    expect(body.system.dlq).toMatchObject({ total: 7, change: 4 });
    expect(body.system.workers).toEqual({ active: 12, idle: null });
    expect(body.system.jobsPerSecond).toBeCloseTo(100 / 300, 12);
    expect(body.system.collectors.queue).toMatchObject({
      ok: false,
      error: 'down on 1 replica(s): r2:9464',
    });
    expect(body.system.collectors.health.ok).toBe(true);

    const health = await get(`${server!.url}${BASE}/health`);
    expect(health.status).toBe(503);
    expect(health.body.source).toBe('prometheus');
    expect(health.body.reasons.map((r: { code: string }) => r.code)).toContain('collector_errors');
    const one = await get(`${server!.url}${BASE}/stats/slack-ops`);
    expect(one.body).toMatchObject({ source: 'prometheus', target: { name: 'slack-ops' } });
    expect((await get(`${server!.url}${BASE}/stats/nope`)).status).toBe(404);
    expect((await get(`${server!.url}${BASE}/snapshot`)).status).toBe(404);
  });

  it('shares one backend query among concurrent requests within a cache slot', async () => {
    backend.behaviour = (_req, res, body) => setTimeout(() => cannedAnswer(res, body), 100);
    await serve({ cacheTtlMs: 60_000 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => get(`${server!.url}${BASE}/stats`)),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    // One /stats answer: its three queries, once.
    expect(backend.requests.length).toBe(3);
  });

  // Answers shaped for an instant query are judged by the instant-query endpoints only.
  const INSTANT = ['/stats', '/stats/slack-ops', '/health'];
  const failures: Array<[string, Behaviour | 'down', RegExp, string[]?]> = [
    ['down', 'down', /cannot reach the backend .*\(unreachable\)/],
    ['silent', () => undefined, new RegExp(`no complete answer within ${TIMEOUT_MS} ms`)],
    [
      'dripping its body',
      (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"status":"success",');
        const timer = setInterval(() => res.write(' '), 50);
        res.on('close', () => clearInterval(timer));
      },
      /no complete answer within/,
    ],
    ['answering HTML', (_req, res) => res.end('<html>hello</html>'), /not JSON \(bad_response\)/],
    [
      'answering a matrix to an instant query',
      (_req, res) =>
        json(res, 200, { status: 'success', data: { resultType: 'matrix', result: [] } }),
      /expected a vector result, got matrix/,
      INSTANT,
    ],
    [
      'answering a non-numeric sample',
      (_req, res) =>
        json(res, 200, {
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: [1, 'lots'] }] },
        }),
      /not a number/,
      INSTANT,
    ],
    [
      'rejecting the query',
      (_req, res) =>
        json(res, 400, { status: 'error', errorType: 'bad_data', error: 'parse error' }),
      /HTTP 400: parse error \(query_error\)/,
    ],
    ['failing with 502', (_req, res) => json(res, 502, 'gateway'), /HTTP 502 \(http_error\)/],
  ];

  for (const [name, behaviour, reason, paths] of failures) {
    it(`answers 503 with the reason when the backend is ${name}`, async () => {
      let url = backend.url;
      if (behaviour === 'down') url = `http://127.0.0.1:${await freePort()}`;
      else backend.behaviour = behaviour;
      fleet = new FleetStatsSource({
        url,
        timeoutMs: TIMEOUT_MS,
        cacheTtlMs: 1,
        evaluationDelayMs: 0,
      });
      server = await startStatsServer({ fleet, port: 0, trends: false });
      for (const path of paths ?? [...INSTANT, '/trends']) {
        const r = await get(`${server!.url}${BASE}${path}`);
        expect(r.status, path).toBe(503);
        expect(r.body.error.code, path).toBe('backend_unavailable');
        expect(r.body.error.message, path).toMatch(reason);
        expect(r.retryAfter).toBe('5');
        // The deadline holds for the whole answer, not only for the connection.
        expect(r.ms, path).toBeLessThan(TIMEOUT_MS + 700);
      }
    });
  }

  it('serves again as soon as the backend recovers (failures are not cached)', async () => {
    backend.behaviour = (_req, res) => res.end('garbage');
    await serve({ cacheTtlMs: 60_000 });
    expect((await get(`${server!.url}${BASE}/stats`)).status).toBe(503);
    backend.behaviour = (_req, res, body) => cannedAnswer(res, body);
    expect((await get(`${server!.url}${BASE}/stats`)).status).toBe(200);
  });

  it('abandons an answer larger than the cap', async () => {
    backend.behaviour = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`{"status":"success","pad":"${'x'.repeat(5000)}"}`);
    };
    const client = createQueryClient({ url: backend.url, maxResponseBytes: 1000 });
    await expect(client.query('up', 1)).rejects.toThrow(/larger than 1000 bytes/);
  });
});

describe('fleet configuration errors are reported at start, not per request', () => {
  it('rejects bad options with the option named', () => {
    expect(() => new FleetStatsSource({})).toThrow(/url/);
    expect(() => new FleetStatsSource({ url: 'ftp://x' })).toThrow(/http or https/);
    expect(
      () => new FleetStatsSource({ url: 'http://x', matchers: 'job="a"} or vector(1) {' }),
    ).toThrow(/without braces/);
    expect(() => new FleetStatsSource({ url: 'http://x', instanceLabel: 'a-b' })).toThrow(
      /label name/,
    );
    expect(() => new FleetStatsSource({ url: 'http://x', trends: { shortWindowMs: 0 } })).toThrow(
      /shortWindowMs/,
    );
  });

  it('parses the CLI and refuses what it cannot use', () => {
    expect(parseCli(['stats', '--prometheus', 'http://p:9090', '--port', '0'], {})).toMatchObject({
      prometheus: 'http://p:9090',
      port: 0,
      host: '127.0.0.1',
      windowSeconds: 300,
    });
    expect(parseCli(['--help'], {})).toBe('help');
    expect(() => parseCli(['stats'], {})).toThrow(UsageError);
    expect(() => parseCli(['serve'], {})).toThrow(/unknown command/);
    expect(() => parseCli(['stats', '--prometheus', 'u', '--port', '70000'], {})).toThrow(/port/);
    expect(
      parseCli(['stats', '--prometheus', 'u'], { OTEL_PUBLISHING_STATS_TOKEN: 't' }),
    ).toMatchObject({ token: 't' });
  });
});
