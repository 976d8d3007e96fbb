/**
 * An HTTP agent for the OTLP exporter that gives every request a hard deadline.
 *
 * The exporter's own `timeoutMillis` is `req.setTimeout()`: an *idle* timeout, reset by every
 * byte received. An endpoint that answers 200 and then sends one byte every 200 ms never trips
 * it, so its request never completes; the exporter frees its concurrency slot only when the
 * request completes, so two such exports held both slots for good ("Concurrent export limit
 * reached" for every later export) and `forceFlush()`/`shutdown()`, which await them, never
 * resolved (measured: not after 90 s). Here each request gets a socket of its own (no keep-alive)
 * that is destroyed `timeoutMs` after it was opened; the exporter then sees the request fail and
 * frees the slot. The cost: one TCP (and TLS) handshake per export, once per export interval.
 */
import type { Agent } from 'node:http';
import type { Duplex } from 'node:stream';

export class ExportDeadlineExceeded extends Error {
  constructor(readonly timeoutMs: number) {
    super(
      `OTLP export request did not complete within ${timeoutMs} ms (the endpoint kept the ` +
        `connection open); the request was abandoned`,
    );
    this.name = 'ExportDeadlineExceeded';
  }
}

/** Arms a deadline on every connection `agent` opens. */
function withDeadline(agent: Agent, timeoutMs: number): Agent {
  const open = agent.createConnection.bind(agent) as (
    options: object,
    callback?: (err: Error | null, socket: Duplex) => void,
  ) => Duplex;
  agent.createConnection = ((
    options: object,
    callback?: (err: Error | null, s: Duplex) => void,
  ) => {
    const socket = open(options, callback);
    const deadline = setTimeout(
      () => socket.destroy(new ExportDeadlineExceeded(timeoutMs)),
      timeoutMs,
    );
    // A pending export must not keep the host's process alive.
    deadline.unref();
    socket.once('close', () => clearTimeout(deadline));
    return socket;
  }) as Agent['createConnection'];
  return agent;
}

/**
 * `httpAgentOptions` for the OTLP exporters: an agent factory per protocol. node:http/https are
 * imported when the exporter first sends (as the exporter itself does), so an HTTP
 * instrumentation loaded later still wraps them.
 */
export function deadlineAgentFactory(timeoutMs: number): (protocol: string) => Promise<Agent> {
  return async (protocol) => {
    const { Agent: AgentClass } =
      protocol === 'http:' ? await import('node:http') : await import('node:https');
    return withDeadline(new AgentClass({ keepAlive: false }), timeoutMs);
  };
}
