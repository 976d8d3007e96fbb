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
  // One controller per request, tied to the worker's signal by a listener removed afterwards.
  // AbortSignal.any() would be shorter, but on Node 20 every combined signal stays reachable from
  // its long-lived source (nodejs/node#55351): a leak of one signal per request.
  const controller = new AbortController();
  const deadline = setTimeout(
    () => controller.abort(new DOMException('request deadline exceeded', 'TimeoutError')),
    request.timeoutMs,
  );
  const source = request.signal;
  const forward = () => controller.abort(source?.reason);
  if (source?.aborted) forward();
  else source?.addEventListener('abort', forward, { once: true });
  const signal = controller.signal;
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
  } finally {
    clearTimeout(deadline);
    source?.removeEventListener('abort', forward);
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
