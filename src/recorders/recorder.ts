import { instrumentName, metricDefinition, type MetricDefinition } from '../catalog.js';
import type { TargetGuard } from '../cardinality.js';
import { CounterStore, GaugeStore, HistogramStore, type SeriesStore } from './store.js';

/** What every recorder shares with the collector that publishes it. */
export interface RecorderContext {
  readonly namespace: string;
  readonly targets: TargetGuard;
}

/**
 * Base of the hot-path recorders: owns the series stores of its catalog metrics and counts the
 * values it had to reject, because a recorder never throws into the host's delivery path.
 */
export abstract class Recorder {
  readonly stores: SeriesStore[] = [];
  /** Values rejected since start (NaN, Infinity, negative durations, unknown enum values). */
  rejectedValues = 0;

  constructor(protected readonly context: RecorderContext) {}

  protected counter(name: string): CounterStore {
    return this.add(new CounterStore(...this.resolve(name, 'counter')));
  }

  protected histogram(name: string): HistogramStore {
    return this.add(new HistogramStore(...this.resolve(name, 'histogram')));
  }

  protected gauge(name: string): GaugeStore {
    return this.add(new GaugeStore(...this.resolve(name, 'gauge')));
  }

  /** Removes every series of a target that left the pipeline. */
  forgetTarget(target: string): void {
    for (const store of this.stores) store.releaseWhere('target', target);
  }

  /** True for a finite, non-negative number; otherwise counts the rejection. */
  protected valid(value: number): boolean {
    if (value >= 0 && value < Infinity) return true;
    this.rejectedValues++;
    return false;
  }

  private add<T extends SeriesStore>(store: T): T {
    this.stores.push(store);
    return store;
  }

  private resolve(name: string, kind: MetricDefinition['kind']): [MetricDefinition, string] {
    const def = metricDefinition(name);
    if (def.kind !== kind)
      throw new Error(`catalog metric '${name}' is a ${def.kind}, not a ${kind}`);
    return [def, instrumentName(def, this.context.namespace)];
  }
}
