/**
 * The shared benchmark harness. Contestants of a case run interleaved in one process (the order
 * rotates every round), after a warm-up, so load from other processes on a shared machine hits
 * them alike; results are medians and p99 of the samples, and cases report ratios.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface Stats {
  readonly median: number;
  readonly p99: number;
  readonly min: number;
  readonly samples: number;
}

/** One row of the results table and of `latest.json`. */
export interface CaseResult {
  readonly id: string;
  readonly what: string;
  readonly ours: number;
  /** What `ours` is compared with; null for a goal on an absolute figure. */
  readonly reference: number | null;
  readonly unit: string;
  /** reference/ours for times and sizes, ours/reference for throughput: higher is better. */
  readonly ratio: number | null;
  readonly goal: string;
  /** Null for rows reported for information, without a goal. */
  readonly pass: boolean | null;
  readonly p99?: { readonly ours: number; readonly reference?: number };
  /** Elapsed-time medians where `ours`/`reference` are CPU time. */
  readonly wall?: { readonly ours: number; readonly reference?: number };
  readonly note?: string;
}

export interface RunOptions {
  readonly quick: boolean;
}

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** A full garbage collection (twice: the second frees what the first one's finalizers released). */
export function fullGc(): void {
  collectGarbage();
  collectGarbage();
}

/** Heap used after a full garbage collection, bytes. */
export function settledHeapUsed(): number {
  fullGc();
  return process.memoryUsage().heapUsed;
}

export function stats(values: readonly number[]): Stats {
  if (values.length === 0) throw new Error('no samples');
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, p99: at(0.99), min: sorted[0]!, samples: sorted.length };
}

function rotated<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export interface LoopOptions {
  /** Operations per timed sample (one sample's time is divided by it). */
  readonly opsPerSample: number;
  /** Samples per contestant per round. */
  readonly samplesPerRound: number;
  readonly rounds: number;
  readonly warmupRounds: number;
}

/**
 * Synchronous micro-operations: each contestant is `loop(count)`, running `count` operations.
 * Returns nanoseconds per operation; a sample is one loop of `opsPerSample` operations (a single
 * 100 ns call cannot be timed on its own, so the p99 is that of the per-sample means).
 */
export function interleaveLoops(
  contestants: Readonly<Record<string, (count: number) => void>>,
  options: LoopOptions,
): Record<string, Stats> {
  const names = Object.keys(contestants);
  const samples = new Map<string, number[]>(names.map((n) => [n, []]));
  for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
    const measured = round >= options.warmupRounds;
    for (const name of rotated(names, round)) {
      const loop = contestants[name]!;
      for (let s = 0; s < options.samplesPerRound; s++) {
        const started = process.hrtime.bigint();
        loop(options.opsPerSample);
        const ns = Number(process.hrtime.bigint() - started) / options.opsPerSample;
        if (measured) samples.get(name)!.push(ns);
      }
    }
  }
  return Object.fromEntries(names.map((n) => [n, stats(samples.get(n)!)]));
}

export interface AsyncOptions {
  /** Samples per contestant per round (each sample is one operation). */
  readonly samplesPerRound: number;
  readonly rounds: number;
  readonly warmupRounds: number;
}

/** Medians by CPU time (the figures compared) with the elapsed-time figures beside them. */
export interface Timing extends Stats {
  readonly wall: Stats;
}

/**
 * Asynchronous operations (a collection, a scrape): milliseconds per operation, by CPU time of
 * the process (all its threads: GC helpers and the loopback client included). Elapsed time is
 * recorded too; on a shared 2-core machine it mostly measures how long the process waited for a
 * core (load averages of 8-11 doubled elapsed times and swung ratios by ±40% between identical
 * runs, where CPU-time ratios stayed within ±10%).
 */
export async function interleaveAsync(
  contestants: Readonly<Record<string, () => Promise<unknown>>>,
  options: AsyncOptions,
): Promise<Record<string, Timing>> {
  const names = Object.keys(contestants);
  const cpu = new Map<string, number[]>(names.map((n) => [n, []]));
  const wall = new Map<string, number[]>(names.map((n) => [n, []]));
  for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
    const measured = round >= options.warmupRounds;
    for (const name of rotated(names, round)) {
      const op = contestants[name]!;
      for (let s = 0; s < options.samplesPerRound; s++) {
        const startedCpu = process.cpuUsage();
        const started = performance.now();
        await op();
        const elapsed = performance.now() - started;
        const used = process.cpuUsage(startedCpu);
        if (!measured) continue;
        cpu.get(name)!.push((used.user + used.system) / 1000);
        wall.get(name)!.push(elapsed);
      }
    }
  }
  return Object.fromEntries(
    names.map((n) => [n, { ...stats(cpu.get(n)!), wall: stats(wall.get(n)!) }]),
  );
}

const COMPILED = !import.meta.url.endsWith('.ts');

function findRepoRoot(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: string;
      };
      if (pkg.name === 'otel-publishing-metrics') return fileURLToPath(dir);
    } catch {
      // no package.json here
    }
    if (dir.pathname === '/') throw new Error('repository root not found');
  }
}

export const REPO_ROOT = findRepoRoot();

/** Node arguments running the bench file `path` (relative to bench/, without extension). */
export function benchScript(path: string): string[] {
  const file = fileURLToPath(new URL(`./${path}${COMPILED ? '.js' : '.ts'}`, import.meta.url));
  return COMPILED ? [file] : ['--import', 'tsx', file];
}

/**
 * Bytes allocated per operation of each contestant a case module exports as
 * `allocationContestants()`, measured in a child process whose young generation is large enough
 * that no scavenge runs inside a measured loop (the method of test/collectors/hot-path-probe.ts).
 */
export async function allocationPerOp(
  caseModule: string,
  ops: Readonly<Record<string, number>>,
): Promise<Record<string, number>> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--expose-gc',
      '--min-semi-space-size=128',
      '--max-semi-space-size=128',
      ...benchScript('allocation-probe'),
      caseModule,
      JSON.stringify(ops),
    ],
    { cwd: REPO_ROOT, timeout: 180_000, maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as Record<string, number>;
}

/** Writes one progress line to stderr (stdout carries the table). */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const scale =
    10 ** Math.max(0, digits - Math.max(0, Math.floor(Math.log10(Math.abs(value))) + 1));
  return Math.round(value * scale) / scale;
}

/** A row comparing two costs (times, bytes): ratio = reference/ours, pass when ≥ `atLeast`. */
export function costRow(
  row: Omit<CaseResult, 'ratio' | 'pass' | 'goal'> & { reference: number },
  goal?: { atLeast: number; text: string },
): CaseResult {
  const ratio = row.reference / row.ours;
  const pair = (key: 'p99' | 'wall') => {
    const v = row[key];
    if (v === undefined) return {};
    const reference = v.reference !== undefined ? { reference: round(v.reference) } : {};
    return { [key]: { ours: round(v.ours), ...reference } };
  };
  return {
    ...row,
    ...pair('p99'),
    ...pair('wall'),
    ours: round(row.ours),
    reference: round(row.reference),
    ratio: round(ratio),
    goal: goal?.text ?? 'information',
    pass: goal === undefined ? null : ratio >= goal.atLeast,
  };
}

/** A row comparing two throughputs: ratio = ours/reference, pass when ≥ `atLeast`. */
export function throughputRow(
  row: Omit<CaseResult, 'ratio' | 'pass' | 'goal'> & { reference: number },
  goal: { atLeast: number; text: string },
): CaseResult {
  const ratio = row.ours / row.reference;
  return {
    ...row,
    ours: round(row.ours),
    reference: round(row.reference),
    ratio: round(ratio),
    goal: goal.text,
    pass: ratio >= goal.atLeast,
  };
}

/** The `ours`/`reference`/`p99`/`wall` fields of a row comparing two timings. */
export function timings(
  ours: Timing,
  reference: Timing,
): Pick<CaseResult, 'p99' | 'wall'> & { ours: number; reference: number } {
  return {
    ours: ours.median,
    reference: reference.median,
    p99: { ours: ours.p99, reference: reference.p99 },
    wall: { ours: ours.wall.median, reference: reference.wall.median },
  };
}
