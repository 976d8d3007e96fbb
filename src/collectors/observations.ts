import type { Attributes, BatchObservableResult, Observable } from '@opentelemetry/api';
import type { MetricDefinition } from '../catalog.js';
import { OVERFLOW_TARGET, type TargetGuard } from '../cardinality.js';
import { TargetLabels } from '../recorders/labels.js';

export interface ObservedInstrument {
  readonly definition: MetricDefinition;
  /** OTel instrument name. */
  readonly name: string;
  readonly observable: Observable;
}

/** How a gauge folds the values of targets beyond the cardinality cap into one series. */
const FOLD_MIN = new Set(['target_success_rate']);
const FOLD_SUM = new Set(['dlq_size']);

/**
 * One collector run's observations: validates every value against the catalog (non-finite or
 * out-of-range values are dropped and counted, never exported), bounds the `target` label, and
 * remembers what was observed (attribute sets per instrument, target names) so that series this
 * run did not observe can be withheld from export.
 */
export class Observations {
  invalidValues = 0;
  readonly invalidMetrics = new Set<string>();
  readonly targets = new Set<string>();
  /** Attribute sets observed in this run, by OTel instrument name. */
  readonly observed = new Map<string, Attributes[]>();
  private readonly folded = new Map<
    string,
    { instrument: ObservedInstrument; attrs: Attributes; value: number }
  >();
  private readonly labels: TargetLabels;

  constructor(
    private readonly result: BatchObservableResult,
    private readonly instruments: ReadonlyMap<string, ObservedInstrument>,
    private readonly guard: TargetGuard,
  ) {
    this.labels = TargetLabels.of(guard);
  }

  /** Observes catalog metric `name` (without namespace). */
  observe(name: string, value: number | undefined, attributes: Attributes = {}): void {
    const instrument = this.instruments.get(name);
    if (instrument === undefined)
      throw new Error(`collector observes '${name}' it did not declare`);
    if (value === undefined) return;
    const [min, max] = instrument.definition.range ?? [-Number.MAX_VALUE, Number.MAX_VALUE];
    if (typeof value !== 'number' || !(value >= min && value <= max)) {
      this.invalidValues++;
      this.invalidMetrics.add(name);
      return;
    }
    const target = attributes['target'];
    if (typeof target !== 'string') {
      this.emit(instrument, value, attributes);
      return;
    }
    this.targets.add(target);
    const type = attributes['type'];
    this.labels.note(target, typeof type === 'string' ? type : undefined);
    if (this.labels.mode === 'type') {
      // No target label: targets of one type fold into one series, as past the cap.
      const attrs = this.labels.typeAttributes(instrument.definition, attributes, target);
      this.fold(name, instrument, attrs, value);
      return;
    }
    const label = this.guard.admit(target);
    if (label !== OVERFLOW_TARGET) {
      this.emit(instrument, value, attributes);
      return;
    }
    this.fold(name, instrument, { ...attributes, target: label }, value);
  }

  /**
   * Reports a target the collector saw without observing a target-labelled metric for it (so
   * the lifecycle retires it once it is gone), with its type when known.
   */
  declareTarget(target: string, type?: string): void {
    if (typeof target !== 'string' || target === '') {
      this.invalidValues++;
      return;
    }
    this.targets.add(target);
    this.labels.note(target, typeof type === 'string' ? type : undefined);
  }

  /** Emits the folded overflow series; call once after the last `observe`. */
  flush(): void {
    for (const f of this.folded.values()) this.emit(f.instrument, f.value, f.attrs);
    this.folded.clear();
  }

  private emit(instrument: ObservedInstrument, value: number, attributes: Attributes): void {
    this.result.observe(instrument.observable, value, attributes);
    const list = this.observed.get(instrument.name);
    if (list === undefined) this.observed.set(instrument.name, [attributes]);
    else list.push(attributes);
  }

  private fold(
    name: string,
    instrument: ObservedInstrument,
    attrs: Attributes,
    value: number,
  ): void {
    const key = `${name}\u0000${JSON.stringify(attrs)}`;
    const prev = this.folded.get(key);
    if (prev === undefined) {
      this.folded.set(key, { instrument, attrs, value });
    } else if (FOLD_SUM.has(name)) {
      prev.value += value;
    } else if (FOLD_MIN.has(name)) {
      prev.value = Math.min(prev.value, value);
    } else {
      // Status, failures, latency, timestamps: the worst (largest) value speaks for the group.
      prev.value = Math.max(prev.value, value);
    }
  }
}
