/**
 * A failed delivery attempt, with the reason from the closed publisher-error set and whether
 * trying again can help: timeouts, refused connections, 5xx and 429 can; a rejected payload or
 * revoked credentials cannot.
 */
import type { ErrorType, PublisherErrorReason } from '../recorders.js';

const TRANSIENT: ReadonlySet<PublisherErrorReason> = new Set([
  'serverError',
  'rateLimited',
  'timeout',
  'network',
]);

export function errorTypeOf(reason: PublisherErrorReason): ErrorType {
  return TRANSIENT.has(reason) ? 'transient' : 'permanent';
}

export class PublishError extends Error {
  override readonly name = 'PublishError';
  readonly errorType: ErrorType;

  constructor(
    readonly reason: PublisherErrorReason,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.errorType = errorTypeOf(reason);
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}

/** Retry-After as delay-seconds or an HTTP date, in milliseconds; undefined when absent or bad. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
