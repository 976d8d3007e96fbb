import type { Attributes } from '@opentelemetry/api';
import { MAX_LABEL_VALUE_LENGTH, usableLabelValue } from '../series/label-value.js';
import { OVERFLOW_TARGET, type TargetGuard } from '../series/target-guard.js';
import type { TargetLabels } from '../series/target-labels.js';
import type { PortSeries } from './port-series.js';

/**
 * True when a label the series exports has an over-long value. Only the definition's labels are
 * looked at (a series keeps no other attribute): `for...in` over every attribute object was a
 * tenth of a collector run.
 */
function hasOverlongValue(attributes: Attributes, labels: readonly string[]): boolean {
  for (let i = 0; i < labels.length; i++) {
    const value = attributes[labels[i] as string];
    if (typeof value === 'string' && value.length > MAX_LABEL_VALUE_LENGTH) return true;
  }
  return false;
}

/**
 * One collector run's observations: validates every value against the catalog (non-finite or
 * out-of-range values are dropped and counted, never exported), bounds the `target` label, writes
 * the values into the collector's series stamped with the run, and remembers the target names
 * the run reported (so the registry can tell when a target left the pipeline).
 */
export class Observations {
  invalidValues = 0;
  readonly invalidMetrics = new Set<string>();
  readonly targets = new Set<string>();
  private readonly folded = new Map<
    string,
    { series: PortSeries; attrs: Attributes; value: number }
  >();
  private readonly guard: TargetGuard;
  /** The target of the latest target-labelled observation, and its admitted label. */
  private lastTarget: string | undefined;
  private lastLabel: string | undefined;

  constructor(
    private readonly series: ReadonlyMap<string, PortSeries>,
    /** The registry's target labels (mode, types and the cardinality guard). */
    private readonly labels: TargetLabels,
    /** The run's number, stamped on every series it sets. */
    private readonly run: number,
  ) {
    this.guard = labels.guard;
  }

  /** Observes catalog metric `name` (without namespace). */
  observe(name: string, value: number | undefined, attributes: Attributes = {}): void {
    const series = this.series.get(name);
    if (series === undefined) throw new Error(`collector observes '${name}' it did not declare`);
    if (value === undefined) return;
    if (typeof value !== 'number' || !(value >= series.min && value <= series.max)) {
      this.invalid(name);
      return;
    }
    const target = attributes['target'];
    // Every port drops a series with an empty target name or an over-long label value the same
    // way: counted as invalid, never exported (`target=""` or a 1 MiB label).
    if (
      (typeof target === 'string' && target === '') ||
      hasOverlongValue(attributes, series.definition.labels)
    ) {
      this.invalid(name);
      return;
    }
    if (typeof target !== 'string') {
      series.set(attributes, value, this.run);
      return;
    }
    const type = attributes['type'];
    // Collectors observe a target's metrics one after another: the target's bookkeeping is done
    // once per run of observations of it (a type, when given, is always noted).
    if (target !== this.lastTarget || typeof type === 'string') {
      if (target !== this.lastTarget) {
        this.targets.add(target);
        this.lastTarget = target;
        this.lastLabel = undefined;
      }
      this.labels.note(target, typeof type === 'string' ? type : undefined);
    }
    if (this.labels.mode === 'type') {
      // No target label: targets of one type fold into one series, as past the cap.
      const attrs = this.labels.typeAttributes(series.definition, attributes, target);
      this.fold(name, series, attrs, value);
      return;
    }
    const label = (this.lastLabel ??= this.guard.admit(target));
    if (label !== OVERFLOW_TARGET) {
      series.set(attributes, value, this.run);
      return;
    }
    this.fold(name, series, { ...attributes, target: label }, value);
  }

  /**
   * `observe(name, value, { target })` for a metric whose only label is `target`, without the
   * attributes object: the series is found by the target name alone. Per-target gauges are most
   * of a collection's observations (600 of ~800 at N=100), and building, validating and keying
   * an attributes object for each was most of a collector run's cost.
   */
  observeTarget(name: string, value: number | undefined, target: string): void {
    const series = this.series.get(name);
    if (series === undefined || !series.byTargetOnly || this.labels.mode === 'type') {
      this.observe(name, value, { target });
      return;
    }
    if (value === undefined) return;
    if (typeof value !== 'number' || !(value >= series.min && value <= series.max)) {
      this.invalid(name);
      return;
    }
    if (typeof target !== 'string') {
      this.observe(name, value, { target });
      return;
    }
    if (target === '' || target.length > MAX_LABEL_VALUE_LENGTH) {
      this.invalid(name);
      return;
    }
    if (target !== this.lastTarget) {
      this.targets.add(target);
      this.lastTarget = target;
      this.lastLabel = undefined;
      this.labels.note(target, undefined);
    }
    const label = (this.lastLabel ??= this.guard.admit(target));
    if (label !== OVERFLOW_TARGET) series.setTarget(target, value, this.run);
    else this.fold(name, series, { target: label }, value);
  }

  /**
   * Reports a target the collector saw without observing a target-labelled metric for it (so
   * the lifecycle retires it once it is gone), with its type when known.
   */
  declareTarget(target: string, type?: string, field = 'target name'): void {
    if (!usableLabelValue(target)) {
      this.invalid(field);
      return;
    }
    this.targets.add(target);
    this.labels.note(target, typeof type === 'string' ? type : undefined);
  }

  /** Emits the folded overflow series; call once after the last `observe`. */
  flush(): void {
    for (const f of this.folded.values()) f.series.set(f.attrs, f.value, this.run);
    this.folded.clear();
  }

  /**
   * Counts one dropped value; `field` names what was wrong in the collector's status message
   * (a catalog metric, or a port field such as `getHealth()[].targetName`).
   */
  invalid(field: string): void {
    this.invalidValues++;
    this.invalidMetrics.add(field);
  }

  private fold(name: string, series: PortSeries, attrs: Attributes, value: number): void {
    const key = `${name}\u0000${JSON.stringify(attrs)}`;
    const prev = this.folded.get(key);
    if (prev === undefined) {
      this.folded.set(key, { series, attrs, value });
      return;
    }
    // The catalog's fold rule of the metric (`max` unless it says otherwise).
    const fold = series.definition.fold;
    if (fold === 'sum') prev.value += value;
    else if (fold === 'min') prev.value = Math.min(prev.value, value);
    else prev.value = Math.max(prev.value, value);
  }
}
