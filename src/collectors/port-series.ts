import type { Attributes } from '@opentelemetry/api';
import type { MetricDefinition } from '../catalog.js';
import { NumberStore } from '../series/number-store.js';

/**
 * The series of one port metric: what the collector's last run observed, kept in a typed-array
 * store like the recorders'. The OTel SDK's observable instruments were used before; they cost
 * ~18× a recorder series per collection (attribute hashing and per-reader storage), re-exported
 * every attribute set ever observed, and stopped admitting new sets at 2,000 per instrument and
 * reader for the life of the process. Here a run stamps every series it observes, and `sweep`
 * releases the ones a successful run did not (a removed target, an absent value).
 */
export class PortSeries {
  readonly store: NumberStore;
  /** Per slot, the run that last observed it. */
  private readonly seen: number[] = [];
  /** The catalog's valid range; values outside it are dropped as invalid. */
  readonly min: number;
  readonly max: number;
  private readonly targetOnly: boolean;
  /** The latest run that set a series, and how many distinct series it set. */
  private run = 0;
  private observed = 0;

  constructor(
    /** The catalog definition (labels as the collector observes them). */
    readonly definition: MetricDefinition,
    /** The definition with the labels exported in the configured target-label mode. */
    exported: MetricDefinition,
    /** OpenTelemetry instrument name. */
    instrument: string,
  ) {
    [this.min, this.max] = definition.range ?? [-Number.MAX_VALUE, Number.MAX_VALUE];
    this.targetOnly =
      definition.labels.length === 1 &&
      definition.labels[0] === 'target' &&
      exported.labels.length === 1 &&
      exported.labels[0] === 'target';
    this.store = new NumberStore(
      definition.kind === 'counter' ? 'counter' : 'gauge',
      exported,
      instrument,
    );
  }

  /** True when the series' only label is `target` (`setTarget` applies). */
  get byTargetOnly(): boolean {
    return this.targetOnly;
  }

  /** `set({ target }, value, run)` for a series whose only label is `target`. */
  setTarget(target: string, value: number, run: number): void {
    const slot = this.store.slotOfOnly(target);
    this.store.values[slot] = value;
    this.stamp(slot, run);
  }

  /** Sets the series `attributes` names to `value` in run `run`. */
  set(attributes: Attributes, value: number, run: number): void {
    const slot = this.store.slotOf(attributes);
    this.store.values[slot] = value;
    this.stamp(slot, run);
  }

  /** Releases the series run `run` did not observe. */
  sweep(run: number): void {
    // Every series observed again (the usual run): nothing to release, no scan of the slots.
    if (run === this.run && this.observed === this.store.seriesCount) return;
    const seen = this.seen;
    this.store.retain((slot) => seen[slot] === run);
  }

  private stamp(slot: number, run: number): void {
    if (run !== this.run) {
      this.run = run;
      this.observed = 0;
    }
    if (this.seen[slot] !== run) {
      this.seen[slot] = run;
      this.observed++;
    }
  }
}
