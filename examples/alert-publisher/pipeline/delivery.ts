/**
 * Delivers jobs: through the target's circuit breaker, with retries for transient failures, and
 * into the dead-letter queue when delivery is given up. Also replays DLQ entries once a target
 * takes requests again.
 *
 * Outcomes: `succeeded`; `dlq` when a retry later may work (transient failures, an open circuit,
 * rejected credentials an operator can fix); `failed` when the target refused the payload itself
 * (4xx other than auth, malformed answer), which no replay would change.
 */
import type { Publisher } from '../publishers/publisher.js';
import { PublishError } from '../publishers/publish-error.js';
import type { ErrorType, JobState, Recorders } from '../recorders.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { DeadLetterQueue, DlqEntry } from './dead-letter-queue.js';
import type { DeliveryStats } from './delivery-stats.js';
import type { Job } from './job.js';
import { withRetries, type RetryPolicy } from './retry.js';
import type { TargetConfig } from './target-config.js';

/** What the pipeline keeps per live target. */
export interface TargetRuntime {
  config: TargetConfig;
  publisher: Publisher;
  breaker: CircuitBreaker;
}

/** The breaker refused the attempt: fail fast without a request. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor(target: string) {
    super(`circuit open for ${target}`);
  }
}

export interface DeliveryOptions {
  recorders: Recorders;
  lookup: (target: string) => TargetRuntime | undefined;
  dlq: DeadLetterQueue;
  stats: DeliveryStats;
  retry: RetryPolicy;
  /** Replays per DLQ entry before it is dropped. */
  maxReplays: number;
  /** Told of every alert a target accepted (first delivery or DLQ replay). */
  onDelivered?: (job: Job) => void;
}

export class Delivery {
  /** Latest job per target+fingerprint, for ordering. */
  private readonly inFlight = new Map<string, Promise<JobState | undefined>>();

  constructor(private readonly options: DeliveryOptions) {}

  /**
   * Runs one job to its outcome; never throws. Jobs for the same alert and target run one after
   * the other: a re-notification racing its first firing would open a second Rootly incident or
   * miss the Slack thread, and a resolution could overtake the page it resolves.
   */
  async process(job: Job, signal: AbortSignal): Promise<JobState | undefined> {
    const key = `${job.target}\u0000${job.alert.fingerprint}`;
    const previous = this.inFlight.get(key);
    const run = previous
      ? previous.then(() => this.deliver(job, signal))
      : this.deliver(job, signal);
    this.inFlight.set(key, run);
    try {
      return await run;
    } finally {
      if (this.inFlight.get(key) === run) this.inFlight.delete(key);
    }
  }

  private async deliver(job: Job, signal: AbortSignal): Promise<JobState | undefined> {
    // The target was removed while the job waited: nothing to deliver to, and recording the job
    // would bring the removed target's series back.
    const runtime = this.options.lookup(job.target);
    if (!runtime) return undefined;
    const queueRecorder = this.options.recorders.queue;
    const started = performance.now();
    let state: JobState = 'succeeded';
    try {
      await withRetries(
        () => this.attempt(runtime, job, signal),
        this.options.retry,
        (error) => queueRecorder.recordRetry(job.target, error.errorType),
        signal,
      );
    } catch (error) {
      const failure = describeFailure(error);
      state =
        failure.errorType === 'permanent' && failure.reason !== 'authError' ? 'failed' : 'dlq';
      if (state === 'dlq') {
        this.options.dlq.add({
          job,
          errorType: failure.errorType,
          error: failure.message,
          deadAt: Date.now(),
          replays: 0,
        });
        queueRecorder.recordDlqWrite(job.target, failure.errorType);
      }
    }
    const durationSeconds = (performance.now() - started) / 1000;
    queueRecorder.recordJob(
      job.target,
      job.priority,
      state,
      durationSeconds,
      (started - job.enqueuedAt) / 1000,
    );
    this.options.stats.record(job.target, state === 'succeeded', durationSeconds);
    return state;
  }

  /**
   * Replays up to `batchSize` DLQ entries of a target, oldest first, one attempt each. Stops at the
   * first failure (the target is evidently still broken) and puts the rest back in order.
   */
  async replay(
    target: string,
    batchSize: number,
    signal: AbortSignal,
  ): Promise<{ succeeded: number; failed: number }> {
    const { dlq, recorders, maxReplays } = this.options;
    const runtime = this.options.lookup(target);
    if (!runtime) {
      dlq.removeTarget(target);
      return { succeeded: 0, failed: 0 };
    }
    const entries = dlq.take(target, batchSize);
    let succeeded = 0;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as DlqEntry;
      if (signal.aborted) {
        dlq.restore(target, entries.slice(i));
        break;
      }
      try {
        await this.attempt(runtime, entry.job, signal);
        recorders.queue.recordDlqReplay(target, 'success');
        succeeded++;
      } catch (error) {
        if (error instanceof CircuitOpenError) {
          dlq.restore(target, entries.slice(i));
          return { succeeded, failed: 0 };
        }
        recorders.queue.recordDlqReplay(target, 'failure');
        entry.replays++;
        entry.error = describeFailure(error).message;
        const rest = entries.slice(i + 1);
        if (entry.replays < maxReplays) dlq.restore(target, [entry, ...rest]);
        else {
          dlq.discard();
          dlq.restore(target, rest);
        }
        return { succeeded, failed: 1 };
      }
    }
    return { succeeded, failed: 0 };
  }

  private async attempt(runtime: TargetRuntime, job: Job, signal: AbortSignal): Promise<void> {
    if (!runtime.breaker.tryAcquire()) throw new CircuitOpenError(job.target);
    try {
      await runtime.publisher.publish(job.alert, signal);
      runtime.breaker.recordSuccess();
      this.options.onDelivered?.(job);
    } catch (error) {
      // A permanent error is still an answer: the target is up, the request was wrong.
      if (error instanceof PublishError && error.errorType === 'permanent')
        runtime.breaker.recordSuccess();
      else runtime.breaker.recordFailure();
      throw error;
    }
  }
}

interface Failure {
  errorType: ErrorType;
  reason?: string;
  message: string;
}

function describeFailure(error: unknown): Failure {
  if (error instanceof PublishError)
    return { errorType: error.errorType, reason: error.reason, message: error.message };
  // An open circuit says the target is failing right now: that is transient by definition.
  if (error instanceof CircuitOpenError) return { errorType: 'transient', message: error.message };
  return { errorType: 'unknown', message: error instanceof Error ? error.message : String(error) };
}
