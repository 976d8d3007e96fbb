import { Recorder, type RecorderContext } from './recorder.js';

export type CollectionErrorReason = 'error' | 'timeout';

interface CollectorSlots {
  duration: number;
  error: number;
  timeout: number;
  up: number;
}

/** The collection's own metrics: duration, errors and up-ness per collector. */
export class SelfMonitor extends Recorder {
  private readonly duration = this.histogram('collection_duration_seconds');
  private readonly errors = this.counter('collection_errors_total');
  private readonly up = this.gauge('collector_up');
  private readonly collectors = new Map<string, CollectorSlots>();

  constructor(context: RecorderContext) {
    super(context);
  }

  /** Creates a collector's series at zero so "no errors" shows as 0. */
  addCollector(name: string): void {
    if (this.collectors.has(name)) return;
    this.collectors.set(name, {
      duration: this.duration.slot([name]),
      error: this.errors.slot([name, 'error']),
      timeout: this.errors.slot([name, 'timeout']),
      up: this.up.slot([name]),
    });
  }

  removeCollector(name: string): void {
    if (!this.collectors.delete(name)) return;
    for (const store of this.stores) store.releaseWhere('collector', name);
  }

  recordRun(name: string, durationSeconds: number, failure?: CollectionErrorReason): void {
    const slots = this.collectors.get(name);
    if (slots === undefined) return;
    if (this.valid(durationSeconds)) this.duration.observe(slots.duration, durationSeconds);
    if (failure !== undefined) this.errors.values[slots[failure]]! += 1;
    this.up.values[slots.up] = failure === undefined ? 1 : 0;
  }
}
