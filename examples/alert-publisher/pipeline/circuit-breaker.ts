/**
 * Per-target circuit breaker. Closed: requests pass, consecutive failures are counted; after
 * `failureThreshold` of them it opens and requests fail fast. After `cooldownMs` it lets one trial
 * request through (half-open): success closes it, failure opens it again for another cool-down.
 */
import type { CircuitState } from '../ports.js';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

export type TransitionListener = (from: CircuitState, to: CircuitState) => void;

export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private readonly now: () => number;

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly onTransition: TransitionListener = () => undefined,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  /** State as of now: an open breaker whose cool-down has passed reports half_open. */
  get state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.options.cooldownMs)
      this.moveTo('half_open');
    return this.current;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Asks to send one request; false means fail fast. Every true must be followed by a record call. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  recordSuccess(): void {
    this.failures = 0;
    this.trialInFlight = false;
    if (this.current !== 'closed') this.moveTo('closed');
  }

  recordFailure(): void {
    this.trialInFlight = false;
    this.failures++;
    if (
      this.current === 'half_open' ||
      (this.current === 'closed' && this.failures >= this.options.failureThreshold)
    ) {
      this.openedAt = this.now();
      this.moveTo('open');
    }
  }

  private moveTo(next: CircuitState): void {
    const previous = this.current;
    this.current = next;
    this.onTransition(previous, next);
  }
}
