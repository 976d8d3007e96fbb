/**
 * One HTTP exchange over fetch with a hard deadline. Transport failures come back as values (not
 * throws) carrying the elapsed time, because the request-duration metric needs it either way.
 */

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  /** JSON-serialisable body, or a pre-serialised string. */
  body?: unknown;
  timeoutMs: number;
  /** Caller's cancellation (shutdown), combined with the deadline. */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

export type HttpOutcome =
  | { ok: true; response: HttpResponse; durationSeconds: number }
  | { ok: false; error: unknown; durationSeconds: number };

export async function httpRequest(request: HttpRequest): Promise<HttpOutcome> {
  const started = performance.now();
  const deadline = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
  const body =
    request.body === undefined
      ? undefined
      : typeof request.body === 'string'
        ? request.body
        : JSON.stringify(request.body);
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...request.headers,
      },
      ...(body === undefined ? {} : { body }),
      signal,
    });
    // The body is read under the same deadline: a server that sends headers and stalls is a timeout.
    const text = await response.text();
    return {
      ok: true,
      response: { status: response.status, headers: response.headers, text },
      durationSeconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    return { ok: false, error, durationSeconds: (performance.now() - started) / 1000 };
  }
}

/** Parses a JSON body; undefined when it is empty or not JSON. */
export function parseJsonBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
