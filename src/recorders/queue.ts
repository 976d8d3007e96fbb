import type { CircuitState, Priority } from '../sources.js';
import { enumIndex } from '../series/enum-index.js';
import type { NumberStore } from '../series/number-store.js';
import { TargetRecords } from '../series/target-records.js';
import { MAX_DURATION_SECONDS } from './limits.js';
import type { RecorderContext } from './recorder.js';
import { TargetRecorder } from './target-recorder.js';

export type SubmissionResult = 'accepted' | 'rejected';
export type JobState = 'succeeded' | 'failed' | 'dlq';
export type ErrorType = 'transient' | 'permanent' | 'unknown';
export type ReplayResult = 'success' | 'failure';

const PRIORITIES: readonly Priority[] = ['high', 'medium', 'low'];
const RESULTS: readonly SubmissionResult[] = ['accepted', 'rejected'];
const STATES: readonly JobState[] = ['succeeded', 'failed', 'dlq'];
const ERROR_TYPES: readonly ErrorType[] = ['transient', 'permanent', 'unknown'];
const REPLAY_RESULTS: readonly ReplayResult[] = ['success', 'failure'];
const CIRCUIT_STATES: readonly CircuitState[] = ['closed', 'half_open', 'open'];

const PRIORITY = enumIndex(PRIORITIES);
const RESULT = enumIndex(RESULTS);
const STATE = enumIndex(STATES);
const ERROR_TYPE = enumIndex(ERROR_TYPES);
const REPLAY_RESULT = enumIndex(REPLAY_RESULTS);
const CIRCUIT_STATE = enumIndex(CIRCUIT_STATES);

// Layout of a target's slot record: one Int32Array per target, offsets by family.
const JOBS = 0; // by state
const DURATION = JOBS + STATES.length; // by priority
const RETRIES = DURATION + PRIORITIES.length; // by error type
const DLQ_WRITES = RETRIES + ERROR_TYPES.length; // by error type
const REPLAYS = DLQ_WRITES + ERROR_TYPES.length; // by result
const TRIPS = REPLAYS + REPLAY_RESULTS.length;
const RECOVERIES = TRIPS + 1;
const RECORD_SIZE = RECOVERIES + 1;

/**
 * Records the queue's events on the delivery path: submissions, finished jobs, retries, circuit
 * transitions and DLQ traffic. A target's series all start at zero the first time it is seen, so
 * "no DLQ writes" reads as 0; after that a call is one `Map.get` plus typed-array increments.
 */
export class QueueRecorder extends TargetRecorder {
  private readonly submissions = this.counter('queue_submissions_total');
  private readonly waitTime = this.histogram('job_wait_time_seconds');
  private readonly jobs = this.counter('jobs_processed_total');
  private readonly duration = this.histogram('job_duration_seconds');
  private readonly retries = this.counter('retry_attempts_total');
  private readonly dlqWrites = this.counter('dlq_writes_total');
  private readonly replays = this.counter('dlq_replays_total');
  private readonly trips = this.counter('circuit_breaker_trips_total');
  private readonly recoveries = this.counter('circuit_breaker_recoveries_total');
  private readonly submissionSlots: Int32Array;
  private readonly waitSlots: Int32Array;
  private readonly targets = new TargetRecords(this.labels, (label) => this.createRecord(label));

  constructor(context: RecorderContext) {
    super(context, 'queue');
    this.submissionSlots = Int32Array.from(
      PRIORITIES.flatMap((priority) =>
        RESULTS.map((result) => this.submissions.slot([priority, result])),
      ),
    );
    this.waitSlots = Int32Array.from(PRIORITIES.map((priority) => this.waitTime.slot([priority])));
  }

  recordSubmission(priority: Priority, result: SubmissionResult): void {
    const p = PRIORITY[priority];
    const r = RESULT[result];
    if (p === undefined || r === undefined) {
      this.reject('unknown_value');
      return;
    }
    this.submissions.values[this.submissionSlots[p * RESULTS.length + r]!]! += 1;
  }

  /** A job reached its final state: `durationSeconds` from dequeue, `waitSeconds` in the queue. */
  recordJob(
    target: string,
    priority: Priority,
    state: JobState,
    durationSeconds: number,
    waitSeconds: number,
  ): void {
    const slots = this.targets.get(target);
    const p = PRIORITY[priority];
    const s = STATE[state];
    if (slots === undefined || p === undefined || s === undefined) {
      this.rejectCall(target);
      return;
    }
    this.jobs.values[slots[JOBS + s]!]! += 1;
    if (this.valid(durationSeconds, MAX_DURATION_SECONDS))
      this.duration.observe(slots[DURATION + p]!, durationSeconds);
    if (this.valid(waitSeconds, MAX_DURATION_SECONDS))
      this.waitTime.observe(this.waitSlots[p]!, waitSeconds);
  }

  recordRetry(target: string, errorType: ErrorType): void {
    this.countErrorType(this.retries, RETRIES, target, errorType);
  }

  /**
   * A circuit-breaker transition: into `open` counts a trip, into `closed` from `half_open` or
   * `open` a recovery; a "transition" to the same state counts nothing.
   */
  recordCircuitTransition(target: string, from: CircuitState, to: CircuitState): void {
    const slots = this.targets.get(target);
    const f = CIRCUIT_STATE[from];
    const t = CIRCUIT_STATE[to];
    if (slots === undefined || f === undefined || t === undefined) {
      this.rejectCall(target);
      return;
    }
    if (f === t) return;
    if (t === CIRCUIT_STATE.open) this.trips.values[slots[TRIPS]!]! += 1;
    else if (t === CIRCUIT_STATE.closed) this.recoveries.values[slots[RECOVERIES]!]! += 1;
  }

  recordDlqWrite(target: string, errorType: ErrorType): void {
    this.countErrorType(this.dlqWrites, DLQ_WRITES, target, errorType);
  }

  /** Counts one event of `store` for the target's series of `errorType` (record slots at `at`). */
  private countErrorType(store: NumberStore, at: number, target: string, errorType: ErrorType) {
    const slots = this.targets.get(target);
    const e = ERROR_TYPE[errorType];
    if (slots === undefined || e === undefined) {
      this.rejectCall(target);
      return;
    }
    store.values[slots[at + e]!]! += 1;
  }

  recordDlqReplay(target: string, result: ReplayResult): void {
    const slots = this.targets.get(target);
    const r = REPLAY_RESULT[result];
    if (slots === undefined || r === undefined) {
      this.rejectCall(target);
      return;
    }
    this.replays.values[slots[REPLAYS + r]!]! += 1;
  }

  /** A port reported the target or its type changed: (re)create its series at zero. */
  onTarget(target: string): void {
    this.targets.invalidate(target);
    this.targets.get(target);
  }

  override forgetTarget(target: string): void {
    this.targets.forget(target);
    // In `type` mode the series belong to the type and stay.
    if (this.labels.mode === 'target') super.forgetTarget(target);
  }

  private createRecord(label: string): Int32Array {
    const record = new Int32Array(RECORD_SIZE);
    const target = label;
    STATES.forEach((state, i) => {
      record[JOBS + i] = this.slotOf(this.jobs, { target, state });
    });
    PRIORITIES.forEach((priority, i) => {
      record[DURATION + i] = this.slotOf(this.duration, { target, priority });
    });
    ERROR_TYPES.forEach((error_type, i) => {
      record[RETRIES + i] = this.slotOf(this.retries, { target, error_type });
      record[DLQ_WRITES + i] = this.slotOf(this.dlqWrites, { target, error_type });
    });
    REPLAY_RESULTS.forEach((result, i) => {
      record[REPLAYS + i] = this.slotOf(this.replays, { target, result });
    });
    record[TRIPS] = this.slotOf(this.trips, { target });
    record[RECOVERIES] = this.slotOf(this.recoveries, { target });
    return record;
  }
}
