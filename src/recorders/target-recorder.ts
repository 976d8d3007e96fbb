import { instrumentName, metricDefinition } from '../catalog.js';
import { TargetLabels, type TargetListener } from './labels.js';
import { Recorder, type RecorderContext } from './recorder.js';
import { CounterStore, HistogramStore, type SeriesStore } from './store.js';

/**
 * Base of recorders with per-target series: their stores carry the labels of the configured
 * target-label mode, and they hear when a port first reports a target (to create its series at
 * zero) or learns its type.
 */
export abstract class TargetRecorder extends Recorder implements TargetListener {
  protected readonly labels: TargetLabels;

  constructor(context: RecorderContext, recorderName: string) {
    super(context, recorderName);
    this.labels = TargetLabels.of(context.targets);
    this.labels.subscribe(this);
  }

  abstract onTarget(target: string, type: string): void;

  protected targetCounter(name: string): CounterStore {
    const def = metricDefinition(name);
    return this.own(
      new CounterStore(this.labels.relabel(def), instrumentName(def, this.context.namespace)),
    );
  }

  protected targetHistogram(name: string): HistogramStore {
    const def = metricDefinition(name);
    return this.own(
      new HistogramStore(this.labels.relabel(def), instrumentName(def, this.context.namespace)),
    );
  }

  /**
   * The slot of a series given its catalog label values by name; `target` holds the resolved
   * label (a target name, `__overflow__` or a type) and fills `type` where the mode renamed it.
   */
  protected slotOf(store: SeriesStore, values: Readonly<Record<string, string>>): number {
    return store.slot(
      store.definition.labels.map((l) => values[l] ?? (l === 'type' ? values['target'] : '') ?? ''),
    );
  }

  private own<T extends SeriesStore>(store: T): T {
    this.stores.push(store);
    return store;
  }
}
