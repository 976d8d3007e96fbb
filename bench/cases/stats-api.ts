/**
 * P4 — the stats API under load: autocannon (10 connections, loopback) against `{base}/stats` of
 * `startStatsServer` over a workload of N=100 targets, and against a bare node:http server that
 * answers the same body (same bytes, same content type) from the same child process. The servers
 * run in a child process so the load generator does not share their event loop; runs alternate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import {
  benchScript,
  progress,
  REPO_ROOT,
  round,
  throughputRow,
  type CaseResult,
  type RunOptions,
} from '../harness.js';

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
const N = 100;
const CONNECTIONS = 10;
/** Connections of the second load: a dashboard fleet or a misbehaving poller. */
const WIDE = 100;

interface Endpoints {
  stats?: string;
  bare?: string;
  bytes?: number;
  missing?: string;
}

async function startServers(): Promise<{ child: ChildProcess; endpoints: Endpoints }> {
  const child = spawn(process.execPath, [...benchScript('servers/stats-api'), String(N)], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`stats server exited with ${code}`)));
  });
  return { child, endpoints: JSON.parse(first) as Endpoints };
}

async function load(
  url: string,
  seconds: number,
  connections = CONNECTIONS,
): Promise<AutocannonResult> {
  const result = await autocannon({ url, connections, duration: seconds });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  }
  return result;
}

export async function run(options: RunOptions): Promise<CaseResult[]> {
  progress(`P4 stats API at N=${N}: starting servers`);
  const { child, endpoints } = await startServers();
  try {
    if (endpoints.missing !== undefined || endpoints.stats === undefined) {
      return [
        {
          id: 'P4',
          what: `stats API: not measured (${endpoints.missing ?? 'no endpoint'})`,
          ours: Number.NaN,
          reference: null,
          unit: 'req/s',
          ratio: null,
          goal: '≥ 10,000 req/s, p99 ≤ 10 ms, ≥ 50% of bare node:http',
          pass: false,
        },
      ];
    }
    const seconds = options.quick ? 3 : 10;
    const rounds = options.quick ? 1 : 2;
    // Warm-up: JIT and the first snapshot.
    await load(endpoints.bare!, 1);
    await load(endpoints.stats, 1);
    const ours: AutocannonResult[] = [];
    const bare: AutocannonResult[] = [];
    for (let r = 0; r < rounds; r++) {
      progress(`P4 round ${r + 1}/${rounds}: ${seconds} s each`);
      if (r % 2 === 0) {
        bare.push(await load(endpoints.bare!, seconds));
        ours.push(await load(endpoints.stats, seconds));
      } else {
        ours.push(await load(endpoints.stats, seconds));
        bare.push(await load(endpoints.bare!, seconds));
      }
    }
    progress(`P4 ${WIDE} connections: ${seconds} s`);
    const wide = await load(endpoints.stats, seconds, WIDE);
    const mean = (rs: AutocannonResult[], f: (r: AutocannonResult) => number) =>
      rs.reduce((sum, r) => sum + f(r), 0) / rs.length;
    const oursRps = mean(ours, (r) => r.requests.average);
    const bareRps = mean(bare, (r) => r.requests.average);
    const oursP99 = Math.max(...ours.map((r) => r.latency.p99));
    const bareP99 = Math.max(...bare.map((r) => r.latency.p99));
    const what = `GET {base}/stats, N=${N}, ${round((endpoints.bytes ?? 0) / 1024)} KB body, ${CONNECTIONS} connections`;
    return [
      {
        id: 'P4.rps',
        what,
        ours: round(oursRps),
        reference: null,
        unit: 'req/s',
        ratio: null,
        goal: '≥ 10,000 req/s',
        pass: oursRps >= 10_000,
      },
      {
        id: 'P4.p99',
        what: `${what}, latency p99`,
        ours: oursP99,
        reference: null,
        unit: 'ms',
        ratio: null,
        goal: 'p99 ≤ 10 ms',
        pass: oursP99 <= 10,
      },
      {
        id: 'P4.p99.100',
        what: `GET {base}/stats, N=${N}, ${WIDE} connections, latency p99 (${round(wide.requests.average)} req/s)`,
        ours: wide.latency.p99,
        reference: null,
        unit: 'ms',
        ratio: null,
        goal: 'information',
        pass: null,
      },
      throughputRow(
        {
          id: 'P4.bare',
          what: `${what}, vs bare node:http answering the same body`,
          ours: oursRps,
          reference: bareRps,
          unit: 'req/s',
          p99: { ours: oursP99, reference: bareP99 },
        },
        { atLeast: 0.5, text: 'ours ≥ 50% of bare (ratio ≥ 0.5)' },
      ),
    ];
  } finally {
    child.stdin?.end();
    await new Promise((resolve) => {
      if (child.exitCode !== null) resolve(undefined);
      else child.once('exit', resolve);
    });
  }
}
