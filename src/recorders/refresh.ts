import { MAX_DURATION_SECONDS } from './limits.js';
import { Recorder, type RecorderContext } from './recorder.js';

export type RefreshOutcome = 'success' | 'failed';

/** Records finished target refreshes (the refresh port only knows the last one). */
export class RefreshRecorder extends Recorder {
  private readonly total = this.counter('refresh_total');
  private readonly duration = this.histogram('refresh_duration_seconds');
  private readonly slots: Record<RefreshOutcome, { total: number; duration: number }>;

  constructor(context: RecorderContext) {
    super(context, 'refresh');
    // Both outcomes start at zero so "no failed refreshes" reads as 0, not as no data.
    this.slots = {
      success: { total: this.total.slot(['success']), duration: this.duration.slot(['success']) },
      failed: { total: this.total.slot(['failed']), duration: this.duration.slot(['failed']) },
    };
  }

  recordRefresh(status: RefreshOutcome, durationSeconds: number): void {
    const slots = Object.hasOwn(this.slots, status) ? this.slots[status] : undefined;
    if (slots === undefined) {
      this.reject('unknown_value');
      return;
    }
    this.total.values[slots.total]! += 1;
    if (this.valid(durationSeconds, MAX_DURATION_SECONDS))
      this.duration.observe(slots.duration, durationSeconds);
  }
}
