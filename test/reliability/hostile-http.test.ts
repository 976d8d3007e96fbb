/**
 * The stats API (`startStatsServer` over a real collector) against generated hostile input:
 * over 10,000 requests — odd methods, paths, percent-encodings, queries, headers, oversized URLs
 * and headers, raw malformed request lines, slowloris connections — never get a 500, never stop
 * the server, and every error is JSON. Bad tokens are refused in time independent of how much of
 * the token matched.
 */
import { Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../http/fixture.js';
import { httpRequest, rawRequest, type Answer, type Outcome } from './support/http-clients.js';
import { BASE, clientRequest, rawRequest as rawBytes } from './support/hostile-requests.js';
import { LONG, ms, writeFigures, type Figure } from './support/figures.js';
import { Rng } from './support/prng.js';

const SEED = 20_260_301;
const CLIENT_REQUESTS = LONG ? 100_000 : 9_000;
const RAW_REQUESTS = LONG ? 10_000 : 1_200;
const SLOWLORIS = 40;
const CONCURRENCY = 8;
const TOKEN = 'Zq8rX2mVt5LkP0wN3sYd7HcJ4gBf6AeU';

const figures: Record<string, Figure> = { seed: SEED };
afterAll(() => writeFigures('hostile-http', figures));

function isJson(answer: { headers: Record<string, unknown> }): boolean {
  return String(answer.headers['content-type'] ?? '').startsWith('application/json');
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Problems with one answer, as messages (empty when it is acceptable). */
function problems(
  answer: Pick<Answer, 'status' | 'body'> & { headers: Record<string, unknown> },
  method: string,
): string[] {
  const out: string[] = [];
  const { status, body } = answer;
  if (status === 500 || status < 100 || status > 599) out.push(`status ${status}`);
  if (/at .*\.(ts|js):\d+/.test(body)) out.push('a stack trace in the body');
  if (status >= 500) {
    // /health says 503 when the pipeline is not healthy: that is an answer, not a failure.
    const report = parse(body) as { status?: unknown; reasons?: unknown } | undefined;
    if (status !== 503 || typeof report?.status !== 'string' || !Array.isArray(report.reasons)) {
      out.push(`${status} that is not a /health verdict: ${body.slice(0, 200)}`);
    }
  }
  if (method === 'HEAD' || status === 304 || body === '') return out;
  if (!isJson(answer)) {
    // Only /metrics answers text.
    if (!(status === 200 && String(answer.headers['content-type']).startsWith('text/plain'))) {
      out.push(`non-JSON body with status ${status}`);
    }
    return out;
  }
  const json = parse(body) as { error?: { code?: unknown; message?: unknown } } | undefined;
  if (json === undefined) out.push('a body that does not parse as JSON');
  else if (status >= 400 && status < 500) {
    const e = json.error;
    if (
      typeof e?.code !== 'string' ||
      typeof e.message !== 'string' ||
      Object.keys(json).length !== 1 ||
      Object.keys(e).length !== 2
    ) {
      out.push(`4xx body is not {error:{code,message}}: ${body.slice(0, 200)}`);
    }
  }
  return out;
}

/** Milliseconds to 0.001 (a microsecond). */
const micro = (value: number) => Math.round(value * 1000) / 1000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `count` tasks with at most `concurrency` at once. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

interface Slowloris {
  /** ms from open to the server closing it; undefined while open. */
  closedAfterMs: (number | undefined)[];
  statuses: number[];
  done: Promise<void>;
  destroy(): void;
}

/** Connections that send a request line and then one header line per second, forever. */
function slowloris(port: number, count: number): Slowloris {
  const closedAfterMs: (number | undefined)[] = Array.from({ length: count }, () => undefined);
  const statuses: number[] = [];
  const sockets: Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  const done = Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<void>((resolve) => {
          const opened = performance.now();
          const socket = connect(port, '127.0.0.1');
          sockets.push(socket);
          let data = '';
          socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
          socket.on('error', () => undefined);
          socket.on('close', () => {
            closedAfterMs[i] = performance.now() - opened;
            statuses.push(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0));
            resolve();
          });
          socket.write(`GET ${BASE}/stats HTTP/1.1\r\nHost: x\r\n`);
          const timer = setInterval(() => {
            if (!socket.destroyed) socket.write(`X-Slow-${i}: ${'z'.repeat(10)}\r\n`);
          }, 1000);
          timers.push(timer);
          socket.on('close', () => clearInterval(timer));
        }),
    ),
  ).then(() => undefined);
  return {
    closedAfterMs,
    statuses,
    done,
    destroy: () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
    },
  };
}

describe('hostile HTTP input against the stats server', () => {
  let open: Fixture;
  let guarded: Fixture;
  beforeAll(async () => {
    open = await startFixture({ trends: { intervalMs: 1000 } });
    guarded = await startFixture({ token: TOKEN });
  });
  afterAll(async () => {
    await open?.close();
    await guarded?.close();
  });

  it(
    `${(CLIENT_REQUESTS + RAW_REQUESTS).toLocaleString('en')} generated requests and ${SLOWLORIS} slowloris connections: no 500, no crash, JSON errors, 401 without the token`,
    async () => {
      const rng = new Rng(SEED);
      const failures: string[] = [];
      const statusCounts: Record<string, number> = {};
      const count = (key: string) => (statusCounts[key] = (statusCounts[key] ?? 0) + 1);
      let closedOversized = 0;

      const slow = slowloris(open.server.port, SLOWLORIS);
      const started = performance.now();
      const agents = [new Agent({ keepAlive: true }), new Agent({ keepAlive: true })];
      const generated = Array.from({ length: CLIENT_REQUESTS }, () => clientRequest(rng, TOKEN));
      const raws = Array.from({ length: RAW_REQUESTS }, () => rawBytes(rng));
      try {
        await pool(CLIENT_REQUESTS, CONCURRENCY, async (i) => {
          const r = generated[i]!;
          const onGuarded = i % 2 === 1;
          const server = onGuarded ? guarded : open;
          const outcome: Outcome = await httpRequest(server.server.port, agents[i % 2]!, r);
          const where = `#${i} ${r.method} ${r.path.slice(0, 120)} (seed ${SEED}${onGuarded ? ', token server' : ''})`;
          if ('error' in outcome) {
            // The server may close the connection while an oversized request is still being sent.
            if (r.oversized && /ECONNRESET|EPIPE|socket hang up/.test(outcome.error)) {
              closedOversized++;
              count('closed');
              return;
            }
            failures.push(`${where}: ${outcome.error}`);
            return;
          }
          count(String(outcome.status));
          for (const p of problems(outcome, r.method)) failures.push(`${where}: ${p}`);
          if (r.oversized && outcome.status !== 431 && outcome.status !== 400) {
            failures.push(`${where}: oversized request answered ${outcome.status}`);
          }
          if (onGuarded) {
            const authorised = r.auth === 'valid';
            if (!authorised && outcome.status < 400) {
              failures.push(`${where}: ${outcome.status} without a valid token (${r.auth})`);
            }
            if (!authorised && r.plainRoute) {
              if (outcome.status !== 401) {
                failures.push(`${where}: ${outcome.status} instead of 401 (${r.auth})`);
              } else if (!String(outcome.headers['www-authenticate']).startsWith('Bearer')) {
                failures.push(`${where}: 401 without WWW-Authenticate: Bearer`);
              }
            }
          }
        });

        let rawTimeouts = 0;
        let rawClosedWithoutAnswer = 0;
        await pool(RAW_REQUESTS, CONCURRENCY, async (i) => {
          const bytes = raws[i]!;
          const answer = await rawRequest(open.server.port, bytes);
          const where = `raw #${i} ${JSON.stringify(bytes.slice(0, 100))} (seed ${SEED})`;
          if (answer.timedOut) {
            rawTimeouts++;
            failures.push(`${where}: neither answered nor closed within 3 s`);
            return;
          }
          if (answer.status === 0) {
            // CONNECT without a handler and TLS bytes are closed without an answer: no body, no 500.
            rawClosedWithoutAnswer++;
            count('closed');
            return;
          }
          count(String(answer.status));
          for (const p of problems(answer, 'GET')) failures.push(`${where}: ${p}`);
        });
        const generatedMs = performance.now() - started;

        await slow.done;
        const slowMs = slow.closedAfterMs.map((v) => v ?? Infinity);

        // Still serving: a valid request at the end gets a full answer.
        const agent = new Agent({ keepAlive: false });
        const stats = await httpRequest(open.server.port, agent, {
          method: 'GET',
          path: `${BASE}/stats`,
          headers: {},
        });
        const authorised = await httpRequest(guarded.server.port, agent, {
          method: 'GET',
          path: `${BASE}/stats/slack-ops`,
          headers: { authorization: `Bearer ${TOKEN}` },
        });

        figures['requests'] = {
          generatedClient: CLIENT_REQUESTS,
          raw: RAW_REQUESTS,
          slowloris: SLOWLORIS,
          total: CLIENT_REQUESTS + RAW_REQUESTS + SLOWLORIS,
          byStatus: statusCounts,
          status500: statusCounts['500'] ?? 0,
          closedWhileSendingOversized: closedOversized,
          rawClosedWithoutAnswer,
          rawTimeouts,
          slowlorisClosedAfterMsMax: ms(Math.max(...slowMs)),
          slowlorisClosedAfterMsMin: ms(Math.min(...slowMs)),
          slowlorisStatuses: [...new Set(slow.statuses)],
          durationMs: ms(generatedMs),
          failures: failures.length,
        };

        expect(failures.slice(0, 20)).toEqual([]);
        expect(statusCounts['500']).toBeUndefined();
        expect(statusCounts['401']).toBeGreaterThan(1000);
        expect(statusCounts['200']).toBeGreaterThan(300);
        // headersTimeout is 5 s, checked every second: closed with a JSON 408 in 5–7 s.
        expect(Math.min(...slowMs)).toBeGreaterThanOrEqual(4_900);
        expect(Math.max(...slowMs)).toBeLessThan(8_000);
        expect(new Set(slow.statuses)).toEqual(new Set([408]));
        expect('error' in stats ? stats : stats.status).toBe(200);
        expect('error' in authorised ? authorised : authorised.status).toBe(200);
      } finally {
        slow.destroy();
        for (const a of agents) a.destroy();
      }
    },
    LONG ? 20 * 60_000 : 120_000,
  );

  it(
    'a wrong token is refused in the same time whether it matches 0, half or all but one character',
    async () => {
      const variants = {
        none: `${TOKEN[0] === 'a' ? 'b' : 'a'}${TOKEN.slice(1).replace(/./g, '0')}`,
        half: `${TOKEN.slice(0, TOKEN.length / 2)}${'0'.repeat(TOKEN.length / 2)}`,
        allButOne: `${TOKEN.slice(0, -1)}${TOKEN.at(-1) === '0' ? '1' : '0'}`,
      };
      const names = Object.keys(variants) as Array<keyof typeof variants>;
      const samples: Record<string, number[]> = { none: [], half: [], allButOne: [] };
      const batchMedians: Record<string, number[]> = { none: [], half: [], allButOne: [] };
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const rng = new Rng(SEED + 1);
      const ROUNDS = LONG ? 200 : 40;
      const BATCH = 15;
      const send = (token: string) =>
        httpRequest(guarded.server.port, agent, {
          method: 'GET',
          path: `${BASE}/health`,
          headers: { authorization: `Bearer ${token}` },
        });
      try {
        for (let i = 0; i < 50; i++) await send(variants.none); // warm-up
        for (let round = 0; round < ROUNDS; round++) {
          // Interleaved, in a different order each round, so load changes hit every variant alike.
          const order = [...names].sort(() => rng.next() - 0.5);
          for (const name of order) {
            const batch: number[] = [];
            for (let i = 0; i < BATCH; i++) {
              const outcome = await send(variants[name]);
              if ('error' in outcome || outcome.status !== 401) {
                throw new Error(`${name}: ${JSON.stringify(outcome).slice(0, 200)}`);
              }
              batch.push(outcome.ms);
            }
            samples[name]!.push(...batch);
            batchMedians[name]!.push(median(batch));
          }
        }
      } finally {
        agent.destroy();
      }
      const medians = Object.fromEntries(names.map((n) => [n, median(batchMedians[n]!)]));
      figures['tokenTiming'] = {
        requestsPerVariant: ROUNDS * BATCH,
        medianMs: Object.fromEntries(names.map((n) => [n, micro(median(samples[n]!))])),
        medianOfBatchMediansMs: Object.fromEntries(names.map((n) => [n, micro(medians[n]!)])),
      };
      for (const a of names) {
        for (const b of names) {
          const tolerance = Math.max(0.3 * Math.min(medians[a]!, medians[b]!), 0.2);
          expect(Math.abs(medians[a]! - medians[b]!), `${a} vs ${b}`).toBeLessThanOrEqual(
            tolerance,
          );
        }
      }
    },
    LONG ? 10 * 60_000 : 60_000,
  );
});
