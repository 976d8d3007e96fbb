import { collectorMetrics, instrumentName, type CollectorName } from '../catalog.js';
import type { TargetsRun } from '../series/series-lifecycle.js';
import type { SeriesStore } from '../series/series-store.js';
import type { TargetGuard } from '../series/target-guard.js';
import type { TargetLabels } from '../series/target-labels.js';
import type { MaybePromise } from '../sources.js';
import { CollectorTimeoutError, withTimeout } from '../timeout.js';
import { describeError } from './describe-error.js';
import { Observations } from './observations.js';
import { PortSeries } from './port-series.js';

/** The outcome of one collector run, as the registry records it. */
export interface CollectorRun extends TargetsRun {
  readonly ok: boolean;
  readonly durationMs: number;
  readonly reason?: 'error' | 'timeout';
  readonly error?: string;
  readonly invalidValues: number;
  /** `target` label values observed by a successful run. */
  readonly targets?: ReadonlySet<string>;
}

/** What a collector receives from the registry it is registered with. */
export interface CollectorContext {
  readonly namespace: string;
  readonly targets: TargetGuard;
  /** The registry's target-label mode and target types: how per-target series are labelled. */
  readonly labels: TargetLabels;
  /** The timeout for a run starting now, milliseconds. */
  timeoutMs(): number;
  /** Called once per run, when it has finished. */
  report(run: CollectorRun): void;
}

/** A collector bound to one registry: its runs and the series they produce. */
export interface BoundCollector {
  /**
   * Reads the subsystem once and updates the series; reports the run, never rejects. Returns
   * undefined when the run finished synchronously (a port that answered from cached state).
   */
  collect(): Promise<void> | undefined;
  /** The series of the last run when it succeeded; none after a failed run (not fresh). */
  stores(): readonly SeriesStore[];
  /** Every store the collector writes, fresh or not (an instrument is created for each). */
  readonly series: readonly SeriesStore[];
}

/**
 * A collector: turns one subsystem's state into series. `bind` creates its series for a
 * registry (its namespace, cardinality guard and target-label mode).
 */
export interface MetricsCollector {
  readonly name: string;
  /** True when the collector's subsystem is present. */
  isAvailable(): boolean;
  bind(context: CollectorContext): BoundCollector;
}

/**
 * Base for collectors that read a port: each run reads it under the collector's own timeout and
 * writes what it observed into the collector's series. Runs that overlap (a port read still
 * pending when the next collection starts) share one port call.
 */
export abstract class PortCollector<T> implements MetricsCollector {
  private pending: Promise<T> | undefined;

  constructor(
    readonly name: string,
    private readonly catalogCollector: CollectorName,
  ) {}

  abstract isAvailable(): boolean;
  /** Reads the port; may throw, reject or never settle. */
  protected abstract read(): MaybePromise<T>;
  /** Turns one successful read into observations. */
  protected abstract observe(data: T, out: Observations): void;

  bind(context: CollectorContext): BoundCollector {
    const labels = context.labels;
    const series = new Map<string, PortSeries>();
    for (const definition of collectorMetrics(this.catalogCollector)) {
      if (definition.source !== 'port') continue;
      const name = instrumentName(definition, context.namespace);
      series.set(definition.name, new PortSeries(definition, labels.relabel(definition), name));
    }
    let runs = 0;
    // Values of a failed or timed-out run are not fresh: nothing is exported until a run succeeds.
    let fresh = false;

    const failed = (err: unknown, started: number): void => {
      // No property of `err` is read unguarded: a port may throw anything (describeError).
      fresh = false;
      context.report({
        ok: false,
        durationMs: performance.now() - started,
        reason: isTimeout(err) ? 'timeout' : 'error',
        error: describeError(err),
        invalidValues: 0,
      });
    };

    const observed = (data: T, started: number, timeoutMs: number, readBlockedMs: number): void => {
      const run = ++runs;
      const out = new Observations(series, labels, run);
      const observeStarted = performance.now();
      try {
        this.observe(data, out);
        out.flush();
      } catch (err) {
        // A port that returns the wrong shape fails its own collector only.
        fresh = false;
        context.report({
          ok: false,
          durationMs: performance.now() - started,
          reason: 'error',
          error: `unusable data from port: ${describeError(err)}`,
          invalidValues: out.invalidValues,
        });
        return;
      }
      const durationMs = performance.now() - started;
      // Time this collector itself held the event loop: the port call's synchronous part and
      // reading what it returned (getters). Waiting for other collectors does not count.
      const blockedMs = readBlockedMs + (performance.now() - observeStarted);
      if (blockedMs > timeoutMs) {
        // A port that blocks the event loop (synchronous getters, a busy loop) cannot be cut
        // short: no timer fires until it returns. The run is reported as the timeout it is and
        // its values are withheld like a timed-out run's.
        fresh = false;
        context.report({
          ok: false,
          durationMs,
          reason: 'timeout',
          error: `collector '${this.name}' blocked the event loop for ${Math.round(blockedMs)} ms (timeout ${timeoutMs} ms)`,
          invalidValues: out.invalidValues,
        });
        return;
      }
      for (const s of series.values()) s.sweep(run);
      fresh = true;
      context.report({
        ok: true,
        durationMs,
        invalidValues: out.invalidValues,
        targets: out.targets,
        ...(out.invalidValues > 0
          ? {
              error: `dropped ${out.invalidValues} invalid value(s) of ${[...out.invalidMetrics].join(', ')}`,
            }
          : {}),
      });
    };

    const awaited = async (
      read: Promise<T>,
      started: number,
      timeoutMs: number,
      readBlockedMs: number,
    ): Promise<void> => {
      let data: T;
      try {
        data = await withTimeout(
          read,
          timeoutMs,
          () => new CollectorTimeoutError(this.name, timeoutMs),
        );
      } catch (err) {
        if (isTimeout(err)) this.abandon(read);
        failed(err, started);
        return;
      }
      observed(data, started, timeoutMs, readBlockedMs);
    };

    /**
     * A port that answers synchronously (cached state) is observed at once: no promise and no
     * timer, which were most of a collector run's fixed cost (~7 µs of the 10 µs a run over a
     * handful of series took). Its timeout is enforced as for any port that blocks the event
     * loop. A promise from the port goes through the timeout, shared with concurrent runs.
     */
    const collect = (): Promise<void> | undefined => {
      const started = performance.now();
      const timeoutMs = context.timeoutMs();
      if (this.pending !== undefined) return awaited(this.pending, started, timeoutMs, 0);
      let answer: MaybePromise<T>;
      let thenable: boolean;
      try {
        answer = this.read();
        thenable = isThenable(answer);
      } catch (err) {
        failed(err, started);
        return undefined;
      }
      const readBlockedMs = performance.now() - started;
      if (!thenable) {
        observed(answer as T, started, timeoutMs, readBlockedMs);
        return undefined;
      }
      return awaited(this.share(answer as PromiseLike<T>), started, timeoutMs, readBlockedMs);
    };

    const stores = [...series.values()].map((s) => s.store);
    return { collect, stores: () => (fresh ? stores : []), series: stores };
  }

  /**
   * Concurrent collections (several readers at once) share one port call. A call that timed out
   * is abandoned rather than shared again, so a port that hung once is asked afresh at the next
   * collection; only the newest call is referenced from here.
   */
  private share(answer: PromiseLike<T>): Promise<T> {
    // A thenable that throws from `then` rejects the read, as `await` would.
    const read = new Promise<T>((resolve) => resolve(answer));
    this.pending = read;
    const clear = () => this.abandon(read);
    read.then(clear, clear);
    return read;
  }

  private abandon(read: Promise<T>): void {
    if (this.pending === read) this.pending = undefined;
  }
}

/** True for a promise or any object with a `then` method (reading `then` may throw: a Proxy). */
export function isThenable(value: unknown): boolean {
  return (
    ((typeof value === 'object' && value !== null) || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function isTimeout(err: unknown): boolean {
  try {
    return err instanceof CollectorTimeoutError;
  } catch {
    // A Proxy whose getPrototypeOf trap throws.
    return false;
  }
}

/** Seconds from a port's milliseconds; anything but a number is invalid (no string coercion). */
export function secondsFromMs(ms: unknown): number | undefined {
  if (ms === undefined) return undefined;
  return typeof ms === 'number' ? ms / 1000 : Number.NaN;
}

/** Seconds since the Unix epoch of a Date, or undefined when absent or invalid. */
export function unixSeconds(date: Date | undefined): number | undefined {
  if (date === undefined || date === null) return undefined;
  const ms = date instanceof Date ? date.getTime() : new Date(date as unknown as string).getTime();
  return Number.isFinite(ms) ? ms / 1000 : Number.NaN;
}
