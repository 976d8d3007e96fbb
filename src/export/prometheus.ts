import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { importOptional } from './optional-import.js';

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
 * A PrometheusExporter that never opens its own server, and a handler around it. The handler
 * answers with the versioned content type, 405 for methods other than GET/HEAD, and 503 when the
 * collection fails (the exporter's own handler answers 200 with a comment, which Prometheus would
 * store as an empty scrape instead of marking the target down).
 */
export async function createPrometheusEndpoint(
  options: PrometheusEndpointOptions,
): Promise<PrometheusEndpoint> {
  const { PrometheusExporter, PrometheusSerializer } = await importOptional(
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
  const serializer = new PrometheusSerializer(
    undefined,
    false,
    undefined,
    options.withoutTargetInfo,
    options.withoutScopeInfo,
  );
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
        const body = serializer.serialize(resourceMetrics);
        res.writeHead(200, {
          'content-type': PROMETHEUS_CONTENT_TYPE,
          'content-length': Buffer.byteLength(body),
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`metrics collection failed: ${message}\n`);
      },
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
