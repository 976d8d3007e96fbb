import type { Attributes } from '@opentelemetry/api';
import type { MetricDefinition } from '../catalog.js';
import { CounterStore, GaugeStore } from '../recorders/store.js';

/**
 * The series of one port metric: what the collector's last run observed, kept in a typed-array
 * store like the recorders'. The OTel SDK's observable instruments were used before; they cost
 * ~18× a recorder series per collection (attribute hashing and per-reader storage), re-exported
 * every attribute set ever observed, and stopped admitting new sets at 2,000 per instrument and
 * reader for the life of the process. Here a run stamps every series it observes, and `sweep`
 * releases the ones a successful run did not (a removed target, an absent value).
 */
export class PortSeries {
  readonly store: CounterStore | GaugeStore;
  /** Per slot, the run that last observed it. */
  private readonly seen: number[] = [];
  /** The catalog's valid range; values outside it are dropped as invalid. */
  readonly min: number;
  readonly max: number;

  constructor(
    /** The catalog definition (labels as the collector observes them). */
    readonly definition: MetricDefinition,
    /** The definition with the labels exported in the configured target-label mode. */
    exported: MetricDefinition,
    /** OpenTelemetry instrument name. */
    instrument: string,
  ) {
    [this.min, this.max] = definition.range ?? [-Number.MAX_VALUE, Number.MAX_VALUE];
    this.store =
      definition.kind === 'counter'
        ? new CounterStore(exported, instrument)
        : new GaugeStore(exported, instrument);
  }

  /** Sets the series `attributes` names to `value` in run `run`. */
  set(attributes: Attributes, value: number, run: number): void {
    const slot = this.store.slotOf(attributes);
    this.store.values[slot] = value;
    this.seen[slot] = run;
  }

  /** Releases the series run `run` did not observe. */
  sweep(run: number): void {
    const seen = this.seen;
    this.store.retain((slot) => seen[slot] === run);
  }
}
