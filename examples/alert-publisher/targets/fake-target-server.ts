/**
 * Base of the embedded fake targets: a node:http server on loopback whose latency and failure mode
 * can be switched while it runs, so the pipeline meets the failures real targets produce (5xx
 * bursts, 429 storms with Retry-After, revoked credentials, hung requests, refused connections)
 * over a real socket. Each kind (Slack, Rootly, PagerDuty, webhook) subclasses it with its API.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TargetKind } from '../target-kinds.js';

/** How the server misbehaves; `remaining` counts requests left in a burst (Infinity: until changed). */
export type FailureMode =
  | { kind: 'none' }
  | { kind: 'server_error'; status: number; remaining: number }
  | { kind: 'rate_limited'; retryAfterSeconds: number; remaining: number }
  | { kind: 'auth_failure'; status: 401 | 403 }
  /** Read the request and never answer: the client's timeout is the only way out. */
  | { kind: 'no_answer' };

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; undefined when empty, `INVALID_JSON` when it did not parse. */
  body: unknown;
  bodyBytes: number;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const INVALID_JSON = Symbol('invalid-json');

export interface FakeServerOptions {
  host?: string;
  /** 0 picks a free port; the port is kept across goDown()/comeUp(). */
  port?: number;
  latencyMs?: number;
  jitterMs?: number;
  /**
   * Most recent requests a server keeps for inspection (Slack messages, PagerDuty events, webhook
   * payload sizes; default 1,000). Lifetime totals are counters; only this window is kept, so a
   * demo that runs for days holds the same memory as one that runs for minutes.
   */
  keepRecent?: number;
}

export const DEFAULT_KEEP_RECENT = 1_000;

/** Appends to a list kept at most `limit` long, dropping the oldest entry first. */
export function pushRecent<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.shift();
}

export abstract class FakeTargetServer {
  abstract readonly kind: TargetKind;

  /** Requests that reached the server, answered or not. */
  requestCount = 0;
  readonly responsesByStatus = new Map<number, number>();

  private server: http.Server | undefined;
  private readonly host: string;
  private boundPort: number;
  private latencyMs: number;
  private jitterMs: number;
  private failure: FailureMode = { kind: 'none' };
  private readonly pending = new Set<NodeJS.Timeout>();
  /** How many recent requests the kind's inspection lists keep (see FakeServerOptions.keepRecent). */
  protected readonly keepRecent: number;

  constructor(options: FakeServerOptions = {}) {
    this.host = options.host ?? '127.0.0.1';
    this.boundPort = options.port ?? 0;
    this.latencyMs = options.latencyMs ?? 0;
    this.jitterMs = options.jitterMs ?? 0;
    this.keepRecent = options.keepRecent ?? DEFAULT_KEEP_RECENT;
  }

  /** The kind's API: answer a request that passed the failure mode. */
  protected abstract handle(request: FakeRequest): FakeResponse;

  /** Body sent with an injected error status, in the kind's own error shape. */
  protected errorBody(status: number): unknown {
    return { error: http.STATUS_CODES[status] ?? 'error' };
  }

  get port(): number {
    return this.boundPort;
  }

  get origin(): string {
    return `http://${this.host}:${this.boundPort}`;
  }

  async start(): Promise<this> {
    await this.comeUp();
    return this;
  }

  setLatency(latencyMs: number, jitterMs = 0): void {
    this.latencyMs = latencyMs;
    this.jitterMs = jitterMs;
  }

  setFailure(mode: FailureMode): void {
    this.failure = mode;
  }

  /** Back to normal: no failure, no added latency, listening. */
  async recover(): Promise<void> {
    this.failure = { kind: 'none' };
    this.setLatency(0);
    await this.comeUp();
  }

  /** Stop listening and drop every open connection: clients now get ECONNREFUSED. */
  async goDown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive and hung (no_answer) sockets would otherwise hold close() open indefinitely.
    server.closeAllConnections();
    await closed;
  }

  /** Listen again on the same port (port 0 the first time picks one). */
  async comeUp(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => this.onRequest(req, res));
    // Node's default keep-alive timeout (5 s) outlives fetch's idle sockets: a request can then
    // land on a socket the server is closing (ECONNRESET). Real targets keep connections longer.
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    await this.goDown();
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.requestCount++;
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', this.origin);
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: parseJson(raw),
        bodyBytes: raw.length,
      };
      const failure = this.failure;
      if (failure.kind === 'no_answer') return;
      // Decided on arrival, so a burst of N fails exactly the next N requests.
      const response = this.injectedFailure(failure) ?? this.handle(request);
      const delay = this.latencyMs + Math.random() * this.jitterMs;
      if (delay <= 0) return this.send(res, response);
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        this.send(res, response);
      }, delay);
      this.pending.add(timer);
    });
  }

  private injectedFailure(failure: FailureMode): FakeResponse | undefined {
    switch (failure.kind) {
      case 'none':
      case 'no_answer':
        return undefined;
      case 'auth_failure':
        return { status: failure.status, body: this.errorBody(failure.status) };
      case 'server_error':
      case 'rate_limited': {
        if (failure.remaining <= 0) return undefined;
        failure.remaining--;
        if (failure.kind === 'server_error') {
          return { status: failure.status, body: this.errorBody(failure.status) };
        }
        return {
          status: 429,
          body: this.errorBody(429),
          headers: { 'retry-after': String(failure.retryAfterSeconds) },
        };
      }
    }
  }

  private send(res: http.ServerResponse, response: FakeResponse): void {
    if (res.destroyed) return;
    this.responsesByStatus.set(
      response.status,
      (this.responsesByStatus.get(response.status) ?? 0) + 1,
    );
    const body = response.body === undefined ? '' : JSON.stringify(response.body);
    res.writeHead(response.status, {
      ...(body ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      'content-length': String(Buffer.byteLength(body)),
      ...response.headers,
    });
    res.end(body);
  }
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

/** The bearer token of a request, or undefined. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
  return match?.[1];
}
