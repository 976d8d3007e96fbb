import { createServer, type Server, type ServerResponse } from 'node:http';
import { limitConnections, type ConnectionLimits } from '../http/connection-limits.js';
import type { MetricsHandler } from './prometheus-types.js';
import { onResponseDone } from './response-done.js';
import { applyKeepAliveTimeout, requestTimeoutOptions } from './socket-limits.js';

export interface PrometheusServer {
  /** `http://host:port/path` with the bound port. */
  readonly url: string;
  /**
   * Stops accepting connections, lets the scrapes in progress finish (each answered with
   * `Connection: close`, or its connection closed right after it when its head was already sent),
   * and closes every connection still open after the grace period: resolves within it whatever
   * the clients do. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * How long scrapes in progress may take to finish once shutdown starts, ms. A 1,000-target body
 * (~2 MB) takes ~20 ms over loopback and well under a second over any link Prometheus can scrape
 * through in time; a client that stalls is cut off after it.
 */
export const DEFAULT_SHUTDOWN_GRACE_MS = 2_000;

/**
 * Connections the own server accepts at once. Scrapes share bodies (`SharedScrape`), so a
 * connection costs its socket and request objects, not a body: the cap bounds file descriptors.
 * Scrapers, federation and ad-hoc reads never approach it; 200 concurrent scrapes fit.
 */
export const PROMETHEUS_MAX_CONNECTIONS = 256;

export interface PrometheusServerAddress {
  host: string;
  port: number;
  path: string;
  /** Default {@link DEFAULT_SHUTDOWN_GRACE_MS}. */
  shutdownGraceMs?: number;
}

export interface PrometheusServerOptions {
  /** Connection cap and write deadlines, as the stats API's (`limitConnections`). */
  limits?: ConnectionLimits;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Serves `handler` at `path` on its own node:http server, with the stats API's socket limits
 * (request timeouts, connection cap, drain and write deadlines). Rejects with a message naming host:port when
 * the address cannot be bound (port in use, no permission, unknown host).
 */
export function servePrometheus(
  handler: MetricsHandler,
  address: PrometheusServerAddress,
  options: PrometheusServerOptions = {},
): Promise<PrometheusServer> {
  const { host, port, path } = address;
  const graceMs = address.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  if (!Number.isInteger(graceMs) || graceMs < 0) {
    throw new RangeError(`prometheus.shutdownGraceMs must be an integer >= 0, got ${graceMs}`);
  }
  // Scrapes in progress: when the server closes, their connections must close after the answer,
  // or a kept-alive scrape connection holds close() (and the host's shutdown).
  const inProgress = new Set<ServerResponse>();
  let stopping = false;
  const server: Server = createServer(requestTimeoutOptions(), (req, res) => {
    if (stopping) res.setHeader('connection', 'close');
    inProgress.add(res);
    onResponseDone(req, res, () => inProgress.delete(res));
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
  applyKeepAliveTimeout(server);
  // Throws a RangeError naming the option for a bad limit, before anything listens.
  limitConnections(server, { maxConnections: PROMETHEUS_MAX_CONNECTIONS, ...options.limits });

  const close = () =>
    new Promise<void>((done) => {
      stopping = true;
      for (const res of inProgress) {
        if (!res.headersSent) {
          res.setHeader('connection', 'close');
          continue;
        }
        // Its head said keep-alive: close the connection once the body has gone out ('finish'
        // comes after the last write reached the socket), unless a pipelined answer follows.
        res.once('finish', () => setImmediate(() => server.closeIdleConnections()));
      }
      const cutOff = setTimeout(() => server.closeAllConnections(), graceMs);
      server.close(() => {
        clearTimeout(cutOff);
        done();
      });
      // Prometheus keeps scrape connections alive; idle ones would hold close() for 5 s.
      server.closeIdleConnections();
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
        close: () => (closing ??= close()),
      });
    });
  });
}
