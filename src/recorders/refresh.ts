import { Recorder, type RecorderContext } from './recorder.js';

export type RefreshOutcome = 'success' | 'failed';

/** Records finished target refreshes (the refresh port only knows the last one). */
export class RefreshRecorder extends Recorder {
  private readonly total = this.counter('refresh_total');
  private readonly duration = this.histogram('refresh_duration_seconds');
  private readonly slots: Record<RefreshOutcome, { total: number; duration: number }>;

  constructor(context: RecorderContext) {
    super(context);
    // Both outcomes start at zero so "no failed refreshes" reads as 0, not as no data.
    this.slots = {
      success: { total: this.total.slot(['success']), duration: this.duration.slot(['success']) },
      failed: { total: this.total.slot(['failed']), duration: this.duration.slot(['failed']) },
    };
  }

  recordRefresh(status: RefreshOutcome, durationSeconds: number): void {
    const slots = this.slots[status];
    if (slots === undefined) {
      this.rejectedValues++;
      return;
    }
    this.total.values[slots.total]! += 1;
    if (this.valid(durationSeconds)) this.duration.observe(slots.duration, durationSeconds);
  }
}
