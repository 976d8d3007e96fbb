import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { onResponseDone } from '../export/response-done.js';

/** Bounds on what clients can hold of a server, whatever they do. */
export interface ConnectionLimits {
  /**
   * Open connections at most (default 100); more are closed at once, unanswered. With the
   * per-connection bounds below, memory held by clients is bounded by about this many answers.
   */
  maxConnections?: number;
  /**
   * A connection on which no byte moves for this long is closed, milliseconds (default 10000):
   * a client that stops reading an answer releases its buffered body then instead of never.
   */
  idleTimeoutMs?: number;
  /**
   * An answer not handed entirely to the operating system this long after its request arrived
   * is abandoned and its connection closed, milliseconds (default 30000): a client reading a
   * byte at a time cannot hold a body either.
   */
  responseTimeoutMs?: number;
}

export const DEFAULT_MAX_CONNECTIONS = 100;
export const DEFAULT_IDLE_TIMEOUT_MS = 10_000;
export const DEFAULT_RESPONSE_TIMEOUT_MS = 30_000;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Checks `limits` (a RangeError naming the option) and applies them to `server`. */
export function limitConnections(server: Server, limits: ConnectionLimits = {}): void {
  const maxConnections = positiveInteger(
    'maxConnections',
    limits.maxConnections,
    DEFAULT_MAX_CONNECTIONS,
  );
  const idleMs = positiveInteger('idleTimeoutMs', limits.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS);
  const responseMs = positiveInteger(
    'responseTimeoutMs',
    limits.responseTimeoutMs,
    DEFAULT_RESPONSE_TIMEOUT_MS,
  );
  server.maxConnections = maxConnections;
  // Socket inactivity: with no 'timeout' listener on the server, node destroys the socket.
  server.timeout = idleMs;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const timer = setTimeout(() => res.destroy(), responseMs);
    timer.unref();
    // Finished, destroyed or its connection gone: a queued pipelined response never emits
    // 'close' when the client leaves, and its timer (holding the response) would run 30 s.
    onResponseDone(req, res, () => clearTimeout(timer));
  });
}
