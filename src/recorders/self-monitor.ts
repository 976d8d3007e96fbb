import { MAX_DURATION_SECONDS } from './limits.js';
import { Recorder, type RecorderContext } from './recorder.js';

export type CollectionErrorReason = 'error' | 'timeout';

interface CollectorSlots {
  duration: number;
  error: number;
  timeout: number;
  up: number;
  invalid: number;
}

/**
 * The collection's own metrics: duration, errors, up-ness and dropped port values per collector,
 * and what the library drops elsewhere: recorder calls with bad arguments (the shared
 * `recorder_rejected_total`) and targets folded past the cardinality cap.
 */
export class SelfMonitor extends Recorder {
  private readonly duration = this.histogram('collection_duration_seconds');
  private readonly errors = this.counter('collection_errors_total');
  private readonly up = this.gauge('collector_up');
  private readonly invalid = this.counter('collection_invalid_values_total');
  private readonly overflowed = this.gauge('targets_overflowed');
  private readonly collectors = new Map<string, CollectorSlots>();

  constructor(context: RecorderContext) {
    super(context, 'self');
    this.stores.push(context.rejections.store);
    const slot = this.overflowed.slot([]);
    context.targets.watch((folded) => {
      this.overflowed.values[slot] = folded;
    });
  }

  /** Creates a collector's series at zero so "no errors" shows as 0. */
  addCollector(name: string): void {
    if (this.collectors.has(name)) return;
    this.collectors.set(name, {
      duration: this.duration.slot([name]),
      error: this.errors.slot([name, 'error']),
      timeout: this.errors.slot([name, 'timeout']),
      up: this.up.slot([name]),
      invalid: this.invalid.slot([name]),
    });
  }

  removeCollector(name: string): void {
    if (!this.collectors.delete(name)) return;
    for (const store of this.stores) store.releaseWhere('collector', name);
  }

  recordRun(
    name: string,
    durationSeconds: number,
    failure?: CollectionErrorReason,
    invalidValues = 0,
  ): void {
    const slots = this.collectors.get(name);
    if (slots === undefined) return;
    if (this.valid(durationSeconds, MAX_DURATION_SECONDS))
      this.duration.observe(slots.duration, durationSeconds);
    if (failure !== undefined) this.errors.values[slots[failure]]! += 1;
    this.up.values[slots.up] = failure === undefined ? 1 : 0;
    if (invalidValues > 0) this.invalid.values[slots.invalid]! += invalidValues;
  }
}
