/**
 * Retries with exponential backoff and jitter for transient failures. A server's Retry-After wins
 * over the computed backoff when longer; one longer than `maxRetryAfterMs` ends the retries, since
 * holding a worker that long starves every other target.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { PublishError } from '../publishers/publish-error.js';

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  /** Random in [0, 1), for jitter; tests pass a constant. */
  random?: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 10_000,
};

/** Delay before retry number `retry` (1-based): base·2^(retry−1), ±20 % jitter, capped. */
export function backoffDelayMs(
  policy: RetryPolicy,
  retry: number,
  random = policy.random ?? Math.random,
): number {
  const exponential = policy.baseDelayMs * 2 ** (retry - 1);
  const jittered = exponential * (0.8 + 0.4 * random());
  return Math.min(jittered, policy.maxDelayMs);
}

/**
 * Runs `attempt` until it succeeds, throws something that is not a transient PublishError, or the
 * attempts run out; the last error is rethrown. `onRetry` fires before each wait.
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
  onRetry: (error: PublishError, delayMs: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!(error instanceof PublishError) || error.errorType !== 'transient') throw error;
      if (attemptNumber >= policy.maxAttempts) throw error;
      const retryAfter = error.retryAfterMs;
      if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) throw error;
      const delayMs = Math.max(backoffDelayMs(policy, attemptNumber), retryAfter ?? 0);
      onRetry(error, delayMs);
      await sleep(delayMs, undefined, signal ? { signal } : undefined);
    }
  }
}
