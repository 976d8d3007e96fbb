import type { SeriesStore } from '../series/series-store.js';
import type { TargetLabels, TargetListener } from '../series/target-labels.js';
import { Recorder, type RecorderContext } from './recorder.js';

/**
 * Base of recorders with per-target series (their stores carry the labels of the configured
 * target-label mode, as every recorder's do): they hear when a port first reports a target (to
 * create its series at zero) or learns its type.
 */
export abstract class TargetRecorder extends Recorder implements TargetListener {
  protected readonly labels: TargetLabels;

  constructor(context: RecorderContext, recorderName: string) {
    super(context, recorderName);
    this.labels = context.labels;
    this.labels.subscribe(this);
  }

  abstract onTarget(target: string, type: string): void;

  /**
   * The slot of a series given its catalog label values by name; `target` holds the resolved
   * label (a target name, `__overflow__` or a type) and fills `type` where the mode renamed it.
   */
  protected slotOf(store: SeriesStore, values: Readonly<Record<string, string>>): number {
    return store.slot(
      store.definition.labels.map((l) => values[l] ?? (l === 'type' ? values['target'] : '') ?? ''),
    );
  }
}
