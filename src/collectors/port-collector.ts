import type { Attributes, Meter, Observable } from '@opentelemetry/api';
import { collectorMetrics, instrumentName, type CollectorName } from '../catalog.js';
import type { TargetGuard } from '../cardinality.js';
import type { MaybePromise } from '../sources.js';
import { CollectorTimeoutError, withTimeout } from '../timeout.js';
import { Observations, type ObservedInstrument } from './observations.js';

/** The outcome of one collector run, as the registry records it. */
export interface CollectorRun {
  readonly ok: boolean;
  readonly durationMs: number;
  readonly reason?: 'error' | 'timeout';
  readonly error?: string;
  readonly invalidValues: number;
  /** `target` label values observed by a successful run. */
  readonly targets?: ReadonlySet<string>;
  /** Attribute sets observed by a successful run, by OTel instrument name. */
  readonly observed?: ReadonlyMap<string, readonly Attributes[]>;
}

/** What a collector receives from the registry it is registered with. */
export interface CollectorContext {
  readonly namespace: string;
  readonly targets: TargetGuard;
  /** The timeout for a run starting now, milliseconds. */
  timeoutMs(): number;
  /** Called once per run, after observing. */
  report(collector: string, run: CollectorRun): void;
}

/**
 * A collector: turns one subsystem's state into OTel observable instruments. `register` creates
 * the instruments on a meter and returns the function that removes its callback again.
 */
export interface MetricsCollector {
  readonly name: string;
  /** True when the collector's subsystem is present. */
  isAvailable(): boolean;
  /** Names of the OTel instruments it creates (so stale ones can be withheld). */
  instrumentNames(namespace: string): string[];
  register(meter: Meter, context: CollectorContext): () => void;
}

/**
 * Base for collectors that read a port: one batch callback per collector, run under the
 * collector's own timeout, with concurrent collections (several readers) sharing one port read.
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

  private definitions() {
    return collectorMetrics(this.catalogCollector).filter((d) => d.source === 'port');
  }

  instrumentNames(namespace: string): string[] {
    return this.definitions().map((d) => instrumentName(d, namespace));
  }

  register(meter: Meter, context: CollectorContext): () => void {
    const instruments = new Map<string, ObservedInstrument>();
    for (const definition of this.definitions()) {
      const name = instrumentName(definition, context.namespace);
      const options = { description: definition.description, unit: definition.unit };
      const observable: Observable =
        definition.kind === 'counter'
          ? meter.createObservableCounter(name, options)
          : meter.createObservableGauge(name, options);
      instruments.set(definition.name, { definition, name, observable });
    }
    const observables = [...instruments.values()].map((i) => i.observable);

    const callback = async (
      result: Parameters<Parameters<Meter['addBatchObservableCallback']>[0]>[0],
    ) => {
      const started = performance.now();
      const timeoutMs = context.timeoutMs();
      const read = this.readShared();
      let data: T;
      try {
        data = await withTimeout(
          read,
          timeoutMs,
          () => new CollectorTimeoutError(this.name, timeoutMs),
        );
      } catch (err) {
        const timedOut = err instanceof CollectorTimeoutError;
        if (timedOut) this.abandon(read);
        context.report(this.name, {
          ok: false,
          durationMs: performance.now() - started,
          reason: timedOut ? 'timeout' : 'error',
          error: err instanceof Error ? err.message : String(err),
          invalidValues: 0,
        });
        return;
      }
      const out = new Observations(result, instruments, context.targets);
      try {
        this.observe(data, out);
        out.flush();
      } catch (err) {
        // A port that returns the wrong shape fails its own collector only.
        context.report(this.name, {
          ok: false,
          durationMs: performance.now() - started,
          reason: 'error',
          error: `unusable data from port: ${err instanceof Error ? err.message : String(err)}`,
          invalidValues: out.invalidValues,
        });
        return;
      }
      context.report(this.name, {
        ok: true,
        durationMs: performance.now() - started,
        invalidValues: out.invalidValues,
        targets: out.targets,
        observed: out.observed,
        ...(out.invalidValues > 0
          ? {
              error: `dropped ${out.invalidValues} invalid value(s) of ${[...out.invalidMetrics].join(', ')}`,
            }
          : {}),
      });
    };
    meter.addBatchObservableCallback(callback, observables);
    return () => meter.removeBatchObservableCallback(callback, observables);
  }

  /**
   * Concurrent collections (several readers at once) share one port call. A call that timed out
   * is abandoned rather than shared again, so a port that hung once is asked afresh at the next
   * collection; only the newest call is referenced from here.
   */
  private readShared(): Promise<T> {
    if (this.pending === undefined) {
      const read = new Promise<T>((resolve) => resolve(this.read()));
      this.pending = read;
      const clear = () => this.abandon(read);
      read.then(clear, clear);
    }
    return this.pending;
  }

  private abandon(read: Promise<T>): void {
    if (this.pending === read) this.pending = undefined;
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
