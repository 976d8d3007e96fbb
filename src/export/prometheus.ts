import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { writeChunkedBody } from './chunked-body.js';
import { importOptional } from './optional-import.js';
import { PrometheusTextSerializer } from './prometheus-text.js';

/** A `(req, res)` handler serving Prometheus text; mount it in node:http, Express or Fastify. */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Prometheus text exposition format 0.0.4, which every Prometheus version negotiates. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface PrometheusEndpointOptions {
  withoutScopeInfo: boolean;
  withoutTargetInfo: boolean;
}

export interface PrometheusEndpoint {
  /** The PrometheusExporter: register it with the MeterProvider (and attach it). */
  readonly reader: MetricReader;
  readonly handler: MetricsHandler;
}

/**
 * Characters per piece of a streamed body (the pieces end after a whole data point). A body of
 * one piece is answered with a Content-Length; a larger one with chunked transfer encoding.
 */
const CHUNK_CHARS = 64 * 1024;
/** Serializing and writing between two turns of the event loop, ms. */
const SLICE_MS = 4;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function unavailable(res: ServerResponse, message: string): void {
  res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${message}\n`);
}

/** Answers one collection's text: in one piece when it is small, streamed otherwise. */
function respond(req: IncomingMessage, res: ServerResponse, chunks: Generator<string>): void {
  let first: string;
  let second: IteratorResult<string>;
  try {
    const head = chunks.next();
    first = head.done === true ? '' : head.value;
    second = head.done === true ? head : chunks.next();
  } catch (err) {
    diag.error('otel-publishing-metrics: Prometheus serialization failed', err);
    unavailable(res, `metrics serialization failed: ${errorMessage(err)}`);
    return;
  }
  if (second.done === true || req.method === 'HEAD') {
    // HEAD of a large body: no Content-Length, as its GET would have none either.
    chunks.return(undefined);
    const headers: Record<string, string | number> = { 'content-type': PROMETHEUS_CONTENT_TYPE };
    if (second.done === true) headers['content-length'] = Buffer.byteLength(first);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : first);
    return;
  }
  res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
  const rest = second.value;
  function* pieces(): Generator<string> {
    yield first;
    yield rest;
    yield* chunks;
  }
  void writeChunkedBody(res, pieces(), SLICE_MS).then((result) => {
    if (result.outcome === 'failed') {
      diag.error('otel-publishing-metrics: Prometheus serialization failed', result.error);
    }
  });
}

/**
 * A PrometheusExporter that never opens its own server (it is the reader: `collect()` per
 * request), and a handler around it serializing with our own Prometheus text serializer (the
 * exporter's output, byte for byte, at a fraction of its cost). The handler answers with the
 * versioned content type, 405 for methods other than GET/HEAD, and 503 when the collection fails
 * (the exporter's own handler answers 200 with a comment, which Prometheus would store as an
 * empty scrape instead of marking the target down). A large body is streamed in pieces, yielding
 * to the event loop between them; a client that goes away stops the serialization.
 */
export async function createPrometheusEndpoint(
  options: PrometheusEndpointOptions,
): Promise<PrometheusEndpoint> {
  const { PrometheusExporter } = await importOptional(
    () => import('@opentelemetry/exporter-prometheus'),
    '@opentelemetry/exporter-prometheus',
    'Prometheus export',
    'prometheus: false',
  );
  const reader = new PrometheusExporter({
    preventServerStart: true,
    withoutScopeInfo: options.withoutScopeInfo,
    withoutTargetInfo: options.withoutTargetInfo,
  });
  const serializer = new PrometheusTextSerializer(options);
  const handler: MetricsHandler = (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    reader.collect().then(
      ({ resourceMetrics, errors }) => {
        if (errors.length > 0) {
          diag.warn('otel-publishing-metrics: errors during a Prometheus collection', ...errors);
        }
        // The client went away during the collection: nothing to serialize for.
        if (res.destroyed) return;
        respond(req, res, serializer.chunks(resourceMetrics, CHUNK_CHARS));
      },
      (err: unknown) => unavailable(res, `metrics collection failed: ${errorMessage(err)}`),
    );
  };
  return { reader, handler };
}

export interface PrometheusServer {
  /** `http://host:port/path` with the bound port. */
  readonly url: string;
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Serves `handler` at `path` on its own node:http server. Rejects with a message naming
 * host:port when the address cannot be bound (port in use, no permission, unknown host).
 */
export function servePrometheus(
  handler: MetricsHandler,
  address: { host: string; port: number; path: string },
): Promise<PrometheusServer> {
  const { host, port, path } = address;
  // Scrapes in flight: when the server closes, their connections must close after the answer,
  // or a kept-alive scrape connection holds close() (and the host's shutdown) for ~5 s.
  const inFlight = new Set<ServerResponse>();
  let stopping = false;
  const server: Server = createServer((req, res) => {
    if (stopping) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (pathname !== path) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`try ${path}\n`);
      return;
    }
    handler(req, res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'address already in use' : (err.code ?? err.message);
      reject(
        new Error(
          `Prometheus endpoint cannot listen on ${hostForUrl(host)}:${port} (${why}): choose another ` +
            `prometheus.port / OTEL_EXPORTER_PROMETHEUS_PORT, or prometheus: { mount: true } to serve ` +
            `the handler from your own server`,
          { cause: err },
        ),
      );
    });
    server.listen({ host, port }, () => {
      const bound = server.address();
      const actualPort = typeof bound === 'object' && bound !== null ? bound.port : port;
      // Like the OTel exporter's server: metrics alone never keep the process alive.
      server.unref();
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${hostForUrl(host)}:${actualPort}${path}`,
        close: () =>
          (closing ??= new Promise<void>((done) => {
            stopping = true;
            for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
            server.close(() => done());
            // Prometheus keeps scrape connections alive; idle ones would hold close() for 5 s.
            server.closeIdleConnections();
          })),
      });
    });
  });
}
