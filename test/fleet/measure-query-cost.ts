/**
 * Measures what a fleet answer costs the backend: queries per `/stats` and `/trends` call, their
 * latency and answer size, at 3 demo replicas × (100 generated + 6 built-in) targets, against
 * Prometheus and VictoriaMetrics. Not part of the suite (it runs for about a minute and a half):
 *
 *   [ROUNDS=15] npx tsx test/fleet/measure-query-cost.ts [replicas] [extraTargets] [seconds of traffic]
 */
import { FleetStatsSource } from '../../src/fleet/fleet-stats.js';
import { createQueryClient, type QueryClient } from '../../src/fleet/query-client.js';
import { vmForceFlush } from '../support/backends.js';
import { startFleetStack } from './fleet-stack.js';

const [replicas = 3, extraTargets = 100, trafficSeconds = 45] = process.argv.slice(2).map(Number);

/** Answers timed per backend (env ROUNDS; 15 by default). */
const ROUNDS = Number(process.env['ROUNDS'] ?? 15);

interface Call {
  kind: 'query' | 'query_range';
  ms: number;
  series: number;
}

/** A client that records every call it passes on. */
function recording(url: string, calls: Call[]): QueryClient {
  const inner = createQueryClient({ url, timeoutMs: 60_000 });
  return {
    async query(q, t) {
      const started = performance.now();
      const out = await inner.query(q, t);
      calls.push({ kind: 'query', ms: performance.now() - started, series: out.length });
      return out;
    },
    async queryRange(q, s, e, step) {
      const started = performance.now();
      const out = await inner.queryRange(q, s, e, step);
      calls.push({ kind: 'query_range', ms: performance.now() - started, series: out.length });
      return out;
    },
  };
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

async function measure(name: string, url: string, instanceLabel: string, rounds = ROUNDS) {
  const calls: Call[] = [];
  let clock = Date.now();
  const fleet = new FleetStatsSource({
    client: recording(url, calls),
    instanceLabel,
    cacheTtlMs: 1,
    evaluationDelayMs: 0,
    now: () => clock,
  });
  const total: number[] = [];
  let targets = 0;
  let reported = 0;
  for (let i = 0; i < rounds; i++) {
    clock += 1000; // a new cache slot every round: no answer is reused
    const started = performance.now();
    const stats = await fleet.stats();
    total.push(performance.now() - started);
    targets = stats.targets.length;
    reported = stats.fleet?.replicas ?? 0;
  }
  const statsCalls = calls.splice(0);
  const trendTotal: number[] = [];
  for (let i = 0; i < 5; i++) {
    clock += 60_000;
    const started = performance.now();
    await fleet.trends();
    trendTotal.push(performance.now() - started);
  }
  const trendCalls = calls.splice(0);
  // The slowest parts of the combined query, each run alone once.
  const parts: Array<[number, string]> = [];
  for (const part of fleet.statsQueries().flatMap((q) => q.split('\nor '))) {
    const started = performance.now();
    await createQueryClient({ url, timeoutMs: 60_000 }).query(part, clock / 1000);
    parts.push([performance.now() - started, part.slice(0, 90)]);
  }
  parts.sort((a, b) => b[0] - a[0]);
  const ms = (c: Call[]) => c.map((x) => x.ms);
  console.log(
    `${name}: ${reported} replicas, ${targets} targets\n` +
      `  /stats : ${statsCalls.length / rounds} queries per call (in parallel), backend p50 ${quantile(ms(statsCalls), 0.5).toFixed(1)} ms ` +
      `p95 ${quantile(ms(statsCalls), 0.95).toFixed(1)} ms, ${statsCalls[0]!.series} series; ` +
      `whole answer p50 ${quantile(total, 0.5).toFixed(1)} ms\n` +
      `  /trends: ${trendCalls.length / 5} range queries per call (in parallel, 31 steps), backend p50 ${quantile(ms(trendCalls), 0.5).toFixed(1)} ms ` +
      `max ${Math.max(...ms(trendCalls)).toFixed(1)} ms, ${trendCalls[0]!.series} series; ` +
      `whole answer p50 ${quantile(trendTotal, 0.5).toFixed(1)} ms\n` +
      parts
        .slice(0, 3)
        .map(([ms, part]) => `  slowest part alone: ${ms.toFixed(1)} ms  ${part}`)
        .join('\n'),
  );
}

const stack = await startFleetStack({ replicas, extraTargets, victoria: true, rate: 10 });
console.log(
  `load average at start: ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
try {
  console.log(`traffic for ${trafficSeconds} s ...`);
  await new Promise((r) => setTimeout(r, trafficSeconds * 1000));
  await measure('Prometheus 2.42', stack.prometheus.url, 'instance');
  await vmForceFlush(stack.victoria!.url);
  await measure('VictoriaMetrics 1.112', stack.victoria!.url, 'service_instance_id');
} finally {
  await stack.stop();
}
