/**
 * Soak: runs the demo pipeline (`examples/alert-publisher/main.ts --chaos`) in a child process
 * for N minutes and samples, every interval, the child's resident memory (/proc/<pid>/status),
 * its heap after full GCs (a probe loaded with --import) and the library's own figures from its
 * /metrics (collection time, series exposed, jobs processed). Prints a table and exits 1 when RSS
 * or heap grows more than --max-growth percent over the second half of the run; the figures go to
 * test-output/.
 *
 * The first half is warm-up: JIT, and the bounded structures filling up to their caps (the demo's
 * DLQ, its fake servers' recent-request windows and Slack thread index, the stats API's window of
 * baselines), which at 50 alerts/s are full within about 5 minutes. Give it at least 8 minutes; a
 * heap that still grows after that is a leak, which the check is there to catch.
 *
 *   npm run soak -- --minutes 30 [--interval 10] [--max-growth 10] [--rate 50] [--targets 0]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFigures } from '../test/reliability/support/figures.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const NS = 'alert_history_publishing';

interface Options {
  minutes: number;
  intervalSeconds: number;
  maxGrowthPercent: number;
  rate: number;
  targets: number;
}

interface Sample {
  seconds: number;
  rssMiB: number;
  /** Child's JS heap after a full GC (two, see probeModule), MiB. */
  heapMiB: number;
  /** Held only by FinalizationRegistry entries awaiting cleanup after the first GC, MiB. */
  pendingFinalizationMiB: number;
  series: number;
  /** Mean collection time of the port collectors since the previous sample, ms. */
  collectionMs: number | undefined;
  collectorsDown: number;
  jobs: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      interval: { type: 'string', default: '10' },
      'max-growth': { type: 'string', default: '10' },
      rate: { type: 'string', default: '50' },
      targets: { type: 'string', default: '0' },
    },
  });
  const number = (name: string, raw: string, min: number) => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be ≥ ${min}`);
    return value;
  };
  return {
    minutes: number('minutes', values.minutes, 0.5),
    intervalSeconds: number('interval', values.interval, 1),
    maxGrowthPercent: number('max-growth', values['max-growth'], 0),
    rate: number('rate', values.rate, 1),
    targets: number('targets', values.targets, 0),
  };
}

/**
 * Loaded into the child with `--import` (a data: URL, so the demo itself is untouched): every
 * interval it runs a full GC and writes `process.memoryUsage()` to the file named by
 * SOAK_PROBE_FILE, so the soak sees the heap that is really retained, not only RSS.
 *
 * Two GCs with a pause between: a GC finds the dead targets of FinalizationRegistry entries (undici
 * registers one per fetch() with a signal) but their held values stay reachable until the
 * registry's cleanup task runs after it. Measured after one GC, the heap includes every request
 * that died since the last full GC, megabytes that swing with GC timing; the second GC frees them.
 * `pendingFinalization` is the difference, written so the soak can show it.
 */
function probeModule(intervalMs: number): string {
  const source = `
    import { renameSync, writeFileSync } from 'node:fs';
    const file = process.env.SOAK_PROBE_FILE;
    const sample = async () => {
      globalThis.gc?.();
      const first = process.memoryUsage().heapUsed;
      await new Promise((resolve) => setTimeout(resolve, 100));
      globalThis.gc?.();
      const { heapUsed, external, arrayBuffers } = process.memoryUsage();
      const pendingFinalization = Math.max(0, first - heapUsed);
      writeFileSync(file + '.tmp', JSON.stringify({ heapUsed, external, arrayBuffers, pendingFinalization }));
      renameSync(file + '.tmp', file);
    };
    void sample();
    setInterval(() => void sample(), ${Math.max(1000, intervalMs - 500)}).unref();
  `;
  return `data:text/javascript,${encodeURIComponent(source)}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process, MiB, from /proc (Linux). */
function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no VmRSS for pid ${pid}`);
  return kb / 1024;
}

/** The child's heap after GC as its probe last wrote it, MiB. */
function heapMiB(file: string): { heapMiB: number; pendingFinalizationMiB: number } {
  const { heapUsed, pendingFinalization } = JSON.parse(readFileSync(file, 'utf8')) as {
    heapUsed: number;
    pendingFinalization: number;
  };
  const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  return { heapMiB: mib(heapUsed), pendingFinalizationMiB: mib(pendingFinalization) };
}

interface Scrape {
  series: number;
  collectionSum: number;
  collectionCount: number;
  collectorsDown: number;
  jobs: number;
}

function parseMetrics(body: string): Scrape {
  const out: Scrape = {
    series: 0,
    collectionSum: 0,
    collectionCount: 0,
    collectorsDown: 0,
    jobs: 0,
  };
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    out.series++;
    const space = line.lastIndexOf(' ');
    const value = Number(line.slice(space + 1));
    if (line.startsWith(`${NS}_collection_duration_seconds_sum{`)) out.collectionSum += value;
    else if (line.startsWith(`${NS}_collection_duration_seconds_count{`)) {
      out.collectionCount += value;
    } else if (line.startsWith(`${NS}_collector_up{`) && value === 0) out.collectorsDown++;
    else if (line.startsWith(`${NS}_jobs_processed_total{`)) out.jobs += value;
  }
  return out;
}

/** Growth of `values` over the run as a least-squares line: (fitted end − fitted start) / start. */
function fittedGrowth(points: Array<{ x: number; y: number }>): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const first = points[0]!.x;
  const last = points[n - 1]!.x;
  const start = my + slope * (first - mx);
  return (slope * (last - first)) / start;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pad = (value: string | number, width: number) => String(value).padStart(width);

async function main(): Promise<number> {
  const o = options();
  const metricsPort = await freePort();
  const statsPort = await freePort();
  const runSeconds = o.minutes * 60;
  const probeDir = mkdtempSync(join(tmpdir(), 'soak-'));
  const probeFile = join(probeDir, 'memory.json');
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      '--import',
      probeModule(o.intervalSeconds * 1000),
      'examples/alert-publisher/main.ts',
      '--chaos',
      '--quiet',
      '--rate',
      String(o.rate),
      '--targets',
      String(o.targets),
      '--duration',
      String(runSeconds + 60),
      '--metrics-port',
      String(metricsPort),
      '--stats-port',
      String(statsPort),
      '--intake-port',
      '0',
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SOAK_PROBE_FILE: probeFile },
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-16_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(probeDir, { recursive: true, force: true });
  };
  process.once('exit', kill);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      kill();
      process.exit(130);
    });
  }

  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const scrape = async () => parseMetrics(await (await fetch(metricsUrl)).text());
  const ready = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the demo exited early:\n${output}`);
    try {
      await scrape();
      break;
    } catch {
      if (Date.now() > ready) throw new Error(`the demo did not serve /metrics:\n${output}`);
      await sleep(250);
    }
  }

  console.log(
    `soak: demo pipeline with --chaos, ${o.rate} alerts/s, ${o.minutes} min, a sample every ${o.intervalSeconds} s (pid ${child.pid})`,
  );
  console.log(
    `${pad('t (s)', 7)} ${pad('RSS MiB', 8)} ${pad('heap MiB', 9)} ${pad('fin MiB', 8)} ${pad('series', 7)} ${pad('collect ms', 10)} ${pad('down', 5)} ${pad('jobs', 9)}`,
  );
  const samples: Sample[] = [];
  const started = performance.now();
  let previous: Scrape | undefined;
  for (let i = 0; ; i++) {
    const due = started + i * o.intervalSeconds * 1000;
    await sleep(Math.max(0, due - performance.now()));
    if (child.exitCode !== null) throw new Error(`the demo exited during the soak:\n${output}`);
    const now = await scrape();
    const dc = previous === undefined ? 0 : now.collectionCount - previous.collectionCount;
    const sample: Sample = {
      seconds: Math.round((performance.now() - started) / 1000),
      rssMiB: Math.round(rssMiB(child.pid!) * 10) / 10,
      ...heapMiB(probeFile),
      series: now.series,
      collectionMs:
        dc > 0
          ? Math.round(((now.collectionSum - previous!.collectionSum) / dc) * 1e5) / 100
          : undefined,
      collectorsDown: now.collectorsDown,
      jobs: now.jobs,
    };
    previous = now;
    samples.push(sample);
    console.log(
      `${pad(sample.seconds, 7)} ${pad(sample.rssMiB.toFixed(1), 8)} ${pad(sample.heapMiB.toFixed(1), 9)} ${pad(sample.pendingFinalizationMiB.toFixed(1), 8)} ${pad(sample.series, 7)} ${pad(sample.collectionMs?.toFixed(2) ?? '-', 10)} ${pad(sample.collectorsDown, 5)} ${pad(sample.jobs, 9)}`,
    );
    if (sample.seconds >= runSeconds) break;
  }

  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  kill();
  const stopLine = output.split('\n').find((l) => l.startsWith('stopped:'));

  const secondHalf = samples.filter((s) => s.seconds >= runSeconds / 2);
  const growthPercent = (pick: (s: Sample) => number) =>
    secondHalf.length >= 2
      ? Math.round(fittedGrowth(secondHalf.map((s) => ({ x: s.seconds, y: pick(s) }))) * 1000) / 10
      : Number.NaN;
  const rssGrowth = growthPercent((s) => s.rssMiB);
  const heapGrowth = growthPercent((s) => s.heapMiB);
  // Both: RSS alone can stay flat while the heap grows into space V8 had already reserved.
  const pass =
    Number.isFinite(rssGrowth) &&
    rssGrowth <= o.maxGrowthPercent &&
    Number.isFinite(heapGrowth) &&
    heapGrowth <= o.maxGrowthPercent;
  const rss = samples.map((s) => s.rssMiB);
  const heap = samples.map((s) => s.heapMiB);
  writeFigures('soak', {
    minutes: o.minutes,
    intervalSeconds: o.intervalSeconds,
    rate: o.rate,
    extraTargets: o.targets,
    samples: samples.length,
    rssFirstMiB: rss[0]!,
    rssMidMiB: secondHalf[0]?.rssMiB ?? null,
    rssLastMiB: rss.at(-1)!,
    rssMaxMiB: Math.max(...rss),
    rssGrowthSecondHalfPercent: rssGrowth,
    heapFirstMiB: heap[0]!,
    heapMidMiB: secondHalf[0]?.heapMiB ?? null,
    heapLastMiB: heap.at(-1)!,
    heapMaxMiB: Math.max(...heap),
    pendingFinalizationMiBMax: Math.max(...samples.map((s) => s.pendingFinalizationMiB)),
    heapGrowthSecondHalfPercent: heapGrowth,
    maxGrowthPercent: o.maxGrowthPercent,
    seriesFirst: samples[0]!.series,
    seriesLast: samples.at(-1)!.series,
    collectionMsMax: Math.max(...samples.map((s) => s.collectionMs ?? 0)),
    jobsProcessed: samples.at(-1)!.jobs,
    demoStopLine: stopLine ?? null,
    pass,
  });
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${v}%`;
  console.log(stopLine ?? '(the demo printed no stop line)');
  console.log(
    `over the second half: RSS ${signed(rssGrowth)}, heap after GC ${signed(heapGrowth)} (limit ${o.maxGrowthPercent}% each): ${pass ? 'ok' : 'FAIL'}`,
  );
  return pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
