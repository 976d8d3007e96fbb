/**
 * The closed set of reasons a publisher request fails, and the mapping from an HTTP status or a
 * thrown error to it. A closed set keeps `publisher_errors_total` bounded and lets dashboards and
 * alert rules name every reason.
 */
export type PublisherErrorReason =
  | 'clientError'
  | 'serverError'
  | 'authError'
  | 'rateLimited'
  | 'timeout'
  | 'network'
  | 'format';

export const PUBLISHER_ERROR_REASONS: readonly PublisherErrorReason[] = [
  'clientError',
  'serverError',
  'authError',
  'rateLimited',
  'timeout',
  'network',
  'format',
];

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
/** How deep to follow `cause`: fetch wraps the transport error once ("fetch failed"). */
const MAX_CAUSE_DEPTH = 4;

/**
 * The reason of a failed request, or undefined when there is nothing to report.
 *
 * HTTP status: 401/403 `authError`, 429 `rateLimited`, other 4xx `clientError`, 5xx and above
 * `serverError`; below 400 (or not an integer) undefined.
 *
 * Thrown error (its `cause` chain included, so fetch's "fetch failed" reveals the socket error):
 * - `AbortError`, `TimeoutError`, `ETIMEDOUT`, undici `UND_ERR_*TIMEOUT` → `timeout`;
 * - `SyntaxError` or a message about JSON → `format` (the response could not be understood);
 * - a numeric `status`/`statusCode` property (HTTP client errors) → as that status;
 * - connection codes (`ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, `EAI_AGAIN`, `EPIPE`, ...) or
 *   "socket hang up" → `network`;
 * - anything else thrown → `network`: the request produced no usable HTTP response, and the
 *   closed set has no "unknown" (an open one would let arbitrary error text into a label).
 *
 * `undefined` and `null` are not errors: undefined.
 */
export function classifyPublishError(statusOrError: unknown): PublisherErrorReason | undefined {
  if (typeof statusOrError === 'number') return classifyStatus(statusOrError);
  if (statusOrError === undefined || statusOrError === null) return undefined;
  return classifyThrown(statusOrError, 0) ?? 'network';
}

function classifyStatus(status: number): PublisherErrorReason | undefined {
  if (!Number.isInteger(status) || status < 400) return undefined;
  if (status === 401 || status === 403) return 'authError';
  if (status === 429) return 'rateLimited';
  return status < 500 ? 'clientError' : 'serverError';
}

function classifyThrown(error: unknown, depth: number): PublisherErrorReason | undefined {
  if (typeof error !== 'object' || error === null || depth > MAX_CAUSE_DEPTH) return undefined;
  const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
  if (name === 'AbortError' || name === 'TimeoutError') return 'timeout';
  if (typeof code === 'string') {
    if (TIMEOUT_CODES.has(code) || /^UND_ERR_\w*TIMEOUT$/.test(code)) return 'timeout';
  }
  if (error instanceof SyntaxError || name === 'SyntaxError') return 'format';
  if (typeof message === 'string' && /\bJSON\b/i.test(message)) return 'format';
  const status =
    (error as { status?: unknown; statusCode?: unknown }).status ??
    (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number') {
    const reason = classifyStatus(status);
    if (reason !== undefined) return reason;
  }
  const cause = classifyThrown((error as { cause?: unknown }).cause, depth + 1);
  if (cause !== undefined) return cause;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'network';
  if (typeof message === 'string' && /socket hang up/i.test(message)) return 'network';
  return undefined;
}
