/** Circuit breaker: closed → open after N consecutive failures, half-open after the cool-down, closed after a success. */
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../examples/alert-publisher/pipeline/circuit-breaker.js';

function breaker(threshold = 3, cooldownMs = 1_000) {
  let now = 0;
  const transitions: string[] = [];
  const cb = new CircuitBreaker(
    { failureThreshold: threshold, cooldownMs, now: () => now },
    (from, to) => transitions.push(`${from}→${to}`),
  );
  return { cb, transitions, advance: (ms: number) => (now += ms) };
}

describe('circuit breaker', () => {
  it('opens after exactly N consecutive failures and then fails fast', () => {
    const { cb, transitions } = breaker(3);
    cb.recordFailure();
    cb.recordFailure();
    expect(cb.state).toBe('closed');
    expect(cb.tryAcquire()).toBe(true);
    cb.recordFailure();
    expect(cb.state).toBe('open');
    expect(cb.tryAcquire()).toBe(false);
    expect(transitions).toEqual(['closed→open']);
  });

  it('a success resets the consecutive count', () => {
    const { cb } = breaker(3);
    cb.recordFailure();
    cb.recordFailure();
    cb.recordSuccess();
    cb.recordFailure();
    cb.recordFailure();
    expect(cb.state).toBe('closed');
    expect(cb.consecutiveFailures).toBe(2);
  });

  it('goes half-open after the cool-down, lets one trial through, and closes on its success', () => {
    const { cb, transitions, advance } = breaker(1, 1_000);
    cb.recordFailure();
    advance(999);
    expect(cb.tryAcquire()).toBe(false);
    advance(1);
    expect(cb.state).toBe('half_open');
    expect(cb.tryAcquire()).toBe(true);
    expect(cb.tryAcquire()).toBe(false); // only one trial at a time
    cb.recordSuccess();
    expect(cb.state).toBe('closed');
    expect(transitions).toEqual(['closed→open', 'open→half_open', 'half_open→closed']);
  });

  it('a failed trial reopens for a full cool-down', () => {
    const { cb, transitions, advance } = breaker(1, 1_000);
    cb.recordFailure();
    advance(1_000);
    expect(cb.tryAcquire()).toBe(true);
    cb.recordFailure();
    expect(cb.state).toBe('open');
    advance(500);
    expect(cb.tryAcquire()).toBe(false);
    advance(500);
    expect(cb.tryAcquire()).toBe(true);
    expect(transitions).toEqual([
      'closed→open',
      'open→half_open',
      'half_open→open',
      'open→half_open',
    ]);
  });
});
