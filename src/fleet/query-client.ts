/**
 * A small client of the Prometheus HTTP query API (`/api/v1/query`, `/api/v1/query_range`), which
 * Prometheus, VictoriaMetrics, Thanos and Mimir all serve. Every call is bounded: a deadline for
 * the whole exchange, a cap on the answer's size, and a strict check of its shape, so a backend
 * that is down, slow or answers garbage becomes a {@link BackendError} with the reason, never a
 * hang or an exception from deep inside JSON handling.
 */

/** Default deadline of one query, connect to last byte, milliseconds. */
export const DEFAULT_QUERY_TIMEOUT_MS = 3000;
/**
 * Default cap on an answer: the largest one the fleet stats ask for (a trends range query at
 * 3 replicas × 100 targets, 18 buckets, 31 steps) measured about 2 MB.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export type BackendErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'http_error'
  | 'bad_response'
  | 'query_error';

/** Why the backend could not answer; `message` is safe to show a client (no body dumps). */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    readonly kind: BackendErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export interface QueryClientOptions {
  /** Base URL of the API, e.g. `http://127.0.0.1:9090` or `http://vmselect:8481/select/0/prometheus`. */
  url: string;
  /** Deadline of one query, milliseconds (default 3000). */
  timeoutMs?: number;
  /** Extra request headers, e.g. `Authorization` or Mimir's `X-Scope-OrgID`. */
  headers?: Record<string, string>;
  /** Larger answers are abandoned as `bad_response` (default 32 MiB). */
  maxResponseBytes?: number;
}

/** One instant-vector element: labels and value. */
export interface VectorSample {
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** One range-vector series: labels and `[unixSeconds, value]` points in time order. */
export interface MatrixSeries {
  readonly labels: Record<string, string>;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

export interface QueryClient {
  /** Instant query evaluated at `time` (Unix seconds). */
  query(promql: string, time: number): Promise<VectorSample[]>;
  /** Range query from `start` to `end` every `step` seconds. */
  queryRange(promql: string, start: number, end: number, step: number): Promise<MatrixSeries[]>;
}

function parseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`query API URL '${raw}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`query API URL '${raw}' must be http or https`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new TypeError(`query API URL '${raw}' must not carry a query or fragment`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** Prometheus encodes values as strings, `NaN` and `±Inf` included. */
function sampleValue(raw: unknown): number {
  if (typeof raw !== 'string')
    throw new BackendError('bad_response', 'a sample value is not a string');
  if (raw === '+Inf' || raw === 'Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  const value = Number(raw);
  if (raw === '' || (Number.isNaN(value) && raw !== 'NaN')) {
    throw new BackendError('bad_response', 'a sample value is not a number');
  }
  return value;
}

function point(raw: unknown): [number, number] {
  if (!Array.isArray(raw) || raw.length !== 2 || typeof raw[0] !== 'number') {
    throw new BackendError('bad_response', 'a sample is not a [time, value] pair');
  }
  return [raw[0], sampleValue(raw[1])];
}

function labelsOf(raw: unknown): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new BackendError('bad_response', 'a series has no label object');
  }
  for (const v of Object.values(raw)) {
    if (typeof v !== 'string')
      throw new BackendError('bad_response', 'a label value is not a string');
  }
  return raw as Record<string, string>;
}

interface ApiBody {
  status?: unknown;
  error?: unknown;
  errorType?: unknown;
  data?: { resultType?: unknown; result?: unknown };
}

function resultOf(body: unknown, expected: 'vector' | 'matrix'): unknown[] {
  if (body === null || typeof body !== 'object') {
    throw new BackendError('bad_response', 'the answer is not a JSON object');
  }
  const b = body as ApiBody;
  if (b.status === 'error') {
    const detail = typeof b.error === 'string' ? b.error.slice(0, 300) : 'no detail';
    throw new BackendError('query_error', `the backend rejected the query: ${detail}`);
  }
  if (b.status !== 'success' || b.data === undefined || b.data === null) {
    throw new BackendError('bad_response', 'the answer is not a Prometheus API answer');
  }
  if (b.data.resultType !== expected || !Array.isArray(b.data.result)) {
    throw new BackendError(
      'bad_response',
      `expected a ${expected} result, got ${String(b.data.resultType).slice(0, 40)}`,
    );
  }
  return b.data.result;
}

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new BackendError('bad_response', `the answer is larger than ${maxBytes} bytes`);
  }
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new BackendError('bad_response', `the answer is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeFetchError(err: unknown, timeoutMs: number): BackendError {
  if (err instanceof BackendError) return err;
  const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new BackendError('timeout', `no complete answer within ${timeoutMs} ms`);
  }
  const reason = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? 'unknown error';
  return new BackendError(
    'unreachable',
    `cannot reach the backend (${String(reason).slice(0, 120)})`,
  );
}

/** A client of the query API at `options.url`. */
export function createQueryClient(options: QueryClientOptions): QueryClient {
  const base = parseBaseUrl(options.url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const headers = {
    Accept: 'application/json',
    'Content-Type': 'application/x-www-form-urlencoded',
    ...options.headers,
  };

  // POST: the combined queries run to a few kilobytes, past what some proxies accept in a URL.
  const call = async (path: string, params: Record<string, string>): Promise<unknown> => {
    const signal = AbortSignal.timeout(timeoutMs);
    let text: string;
    try {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers,
        body: new URLSearchParams(params).toString(),
        signal,
        redirect: 'error',
      });
      text = await readCapped(res, maxBytes);
      // Prometheus answers a bad query 400 and an overloaded one 503, both with an error body.
      if (!res.ok) {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw new BackendError('http_error', `the backend answered HTTP ${res.status}`);
        }
        const detail = (body as ApiBody | null)?.error;
        throw new BackendError(
          res.status >= 500 ? 'http_error' : 'query_error',
          `the backend answered HTTP ${res.status}` +
            (typeof detail === 'string' ? `: ${detail.slice(0, 300)}` : ''),
        );
      }
    } catch (err) {
      throw describeFetchError(err, timeoutMs);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new BackendError('bad_response', 'the answer is not JSON');
    }
  };

  return {
    async query(promql, time) {
      const result = resultOf(
        await call('/api/v1/query', { query: promql, time: String(time) }),
        'vector',
      );
      return result.map((raw) => {
        const r = raw as { metric?: unknown; value?: unknown };
        const [, value] = point(r?.value);
        return { labels: labelsOf(r?.metric), value };
      });
    },
    async queryRange(promql, start, end, step) {
      const result = resultOf(
        await call('/api/v1/query_range', {
          query: promql,
          start: String(start),
          end: String(end),
          step: String(step),
        }),
        'matrix',
      );
      return result.map((raw) => {
        const r = raw as { metric?: unknown; values?: unknown };
        if (!Array.isArray(r?.values)) {
          throw new BackendError('bad_response', 'a range series has no values');
        }
        return { labels: labelsOf(r.metric), points: r.values.map(point) };
      });
    },
  };
}
