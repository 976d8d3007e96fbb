/**
 * The request timeouts of the library's HTTP servers against slow senders, the same on the
 * Prometheus endpoint's own server as on the stats API (`src/http/server.ts`). The Prometheus
 * server had none of node's request timeouts configured and held slowloris connections for 89 s
 * (measured); the stats API closes them after 5–6 s. Connection cap and write deadlines against
 * clients that stop reading: `limitConnections` in `src/http/connection-limits.ts`.
 */
import type { Server, ServerOptions } from 'node:http';

/** Request line and headers must arrive within this, ms (else 408 and close). */
export const HEADERS_TIMEOUT_MS = 5_000;
/** The whole request must arrive within this, ms. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** An idle kept-alive connection is closed after this, ms. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** Options for `createServer`: the request timeouts, checked every second. */
export function requestTimeoutOptions(): ServerOptions {
  return {
    requestTimeout: REQUEST_TIMEOUT_MS,
    headersTimeout: HEADERS_TIMEOUT_MS,
    // How often those timeouts are checked. Node's default (30 s) let a client that sends its
    // headers a byte at a time hold a connection for up to 35 s instead of 5 (measured).
    connectionsCheckingInterval: 1_000,
  };
}

export function applyKeepAliveTimeout(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
}
