/**
 * The stats API at sustained load (autocannon, 10 connections over loopback): every request is
 * answered 2xx, and the load never multiplies collection work (one snapshot serves every request
 * within its TTL).
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../http/fixture.js';
import { LoopDelayProbe } from './support/event-loop.js';
import { LONG, ms, writeFigures } from './support/figures.js';

interface AutocannonResult {
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  duration: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: Array<{ method: 'GET'; path: string }>;
}) => Promise<AutocannonResult>;

// autocannon ships no type declarations.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const BASE = '/api/v2/publishing';
/** The JSON endpoints, then /metrics (a full OTel collection and serialisation per request). */
const SECONDS = LONG ? 60 : 4;
const METRICS_SECONDS = LONG ? 15 : 1;
const CONNECTIONS = 10;
const CACHE_TTL_MS = 1000;

async function load(url: string, seconds: number, paths: string[]) {
  const probe = new LoopDelayProbe();
  probe.start();
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    // Each connection cycles through these in turn.
    requests: paths.map((path) => ({ method: 'GET' as const, path })),
  });
  const loop = probe.stop();
  // The server shares this process with the load generator: throughput figures are a floor.
  return {
    result,
    figures: {
      connections: CONNECTIONS,
      seconds,
      requests: result.requests.total,
      requestsPerSecond: Math.round(result.requests.average),
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      latencyMaxMs: result.latency.max,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      maxEventLoopDelayMs: ms(loop.maxMs),
    },
  };
}

function expectAllAnswered(result: AutocannonResult): void {
  expect(result.errors).toBe(0);
  expect(result.timeouts).toBe(0);
  expect(result.non2xx).toBe(0);
  expect(result['2xx']).toBe(result.requests.total);
}

describe('stats API under sustained load', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture({ cacheTtlMs: CACHE_TTL_MS });
  });
  afterAll(() => fixture?.close());

  it(`${CONNECTIONS} connections for ${SECONDS} s on the JSON endpoints and ${METRICS_SECONDS} s on /metrics: 0 errors, 0 non-2xx, one collection per TTL`, async () => {
    const collectionsBefore = fixture.collections();
    const json = await load(fixture.server.url, SECONDS, [
      `${BASE}/stats`,
      `${BASE}/stats?sort=-score&limit=2`,
      `${BASE}/stats/slack-ops`,
      `${BASE}/snapshot`,
      `${BASE}/health`,
    ]);
    const collections = fixture.collections() - collectionsBefore;
    const metrics = await load(fixture.server.url, METRICS_SECONDS, ['/metrics']);
    writeFigures('load', { json: { ...json.figures, collections }, metrics: metrics.figures });

    expectAllAnswered(json.result);
    expectAllAnswered(metrics.result);
    // Enough requests that the figures mean something, even on a loaded machine.
    expect(json.result.requests.total).toBeGreaterThan(50 * SECONDS);
    expect(metrics.result.requests.total).toBeGreaterThan(10 * METRICS_SECONDS);
    // One collection per TTL at most (plus one in flight at either end), whatever the load.
    expect(collections).toBeLessThanOrEqual(Math.ceil((SECONDS * 1000) / CACHE_TTL_MS) + 2);
  }, 180_000);
});
