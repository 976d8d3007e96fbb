import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { StatsAggregator } from '../stats/aggregator.js';
import { TrendsDetector } from '../stats/trends.js';
import type { TrendsOptions } from '../stats/trends-report.js';
import { bindHost } from './bind-options.js';
import { limitConnections, type ConnectionLimits } from './connection-limits.js';
import { errorBody } from './errors.js';
import { createStatsHandler, type StatsHandlerOptions } from './handler.js';
import { SECURITY_HEADER_LINES } from './security-headers.js';

export interface StatsServerOptions extends Omit<StatsHandlerOptions, 'trends'>, ConnectionLimits {
  /** Interface to bind (default 127.0.0.1: stats stay local unless exposed on purpose). */
  host?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /**
   * A detector to answer `/trends` from; or options for one the server creates, starts and stops
   * (the default); or `false` for no trends.
   */
  trends?: TrendsDetector | TrendsOptions | false;
}

export interface StatsServer {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly aggregator: StatsAggregator;
  readonly trends: TrendsDetector | undefined;
  /** Stops the server (open connections included) and a trends detector it started. */
  close(): Promise<void>;
}

/** Bad request lines and oversized headers never reach a handler; they still get JSON. */
function answerClientError(
  err: NodeJS.ErrnoException & { rawPacket?: Buffer },
  socket: Socket,
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const tooSlow = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const status = tooLarge
    ? '431 Request Header Fields Too Large'
    : tooSlow
      ? '408 Request Timeout'
      : '400 Bad Request';
  const body = tooLarge
    ? errorBody('request_too_large', 'request line and headers exceed the server limit')
    : tooSlow
      ? errorBody('request_timeout', 'request headers or body not received in time')
      : errorBody('bad_request', 'malformed HTTP request');
  // An answer to HEAD carries no body: a client reads one as a broken next response.
  const head = err.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\n${SECURITY_HEADER_LINES}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`,
  );
}

/** Starts the stats API on its own HTTP server. */
export async function startStatsServer(options: StatsServerOptions): Promise<StatsServer> {
  const host = bindHost(options.host, '127.0.0.1');
  const aggregator = options.aggregator ?? new StatsAggregator();
  let trends: TrendsDetector | undefined;
  let ownTrends = false;
  if (options.trends instanceof TrendsDetector) {
    trends = options.trends;
  } else if (options.trends !== false && options.source !== undefined) {
    trends = new TrendsDetector({ source: options.source, ...options.trends });
    ownTrends = true;
  }
  const handler = createStatsHandler({ allowedHosts: [host], ...options, aggregator, trends });
  const server = createServer(
    {
      requestTimeout: 10_000,
      headersTimeout: 5_000,
      // How often those timeouts are checked. Node's default (30 s) let a client that sends its
      // headers a byte at a time hold a connection for up to 35 s instead of 5 (measured).
      connectionsCheckingInterval: 1_000,
    },
    (req, res) => handler(req, res),
  );
  server.keepAliveTimeout = 5_000;
  limitConnections(server, options);
  server.on('clientError', answerClientError);
  const requestedPort = options.port ?? 8080;
  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'address already in use' : (err.code ?? err.message);
      const shown = host.includes(':') ? `[${host}]` : host;
      reject(
        new Error(
          `stats server cannot listen on ${shown}:${requestedPort} (${why}): choose another ` +
            'port (startStatsServer({ port }); 0 picks a free one) or host, or mount ' +
            'createStatsHandler() in your own server',
          { cause: err },
        ),
      );
    };
    server.once('error', failed);
    server.listen(requestedPort, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  if (ownTrends) trends!.start();
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    host,
    port,
    url: `http://${urlHost}:${port}`,
    aggregator,
    trends,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (ownTrends) trends!.stop();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
