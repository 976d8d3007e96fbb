/**
 * An HTTP proxy in front of a real backend that fails on command: refuse (the port is closed),
 * hang (accept, never answer), answer a status (500, 429 …), answer slowly, trickle (pass the
 * request on, answer 200 and then one byte every `everyMs`, never ending), or pass through.
 */
import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'refuse' }
  | { kind: 'hang' }
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'trickle'; everyMs: number };

export interface ProxyCounts {
  /** Requests that reached the proxy (a refused connection never does). */
  received: number;
  /** Requests passed to the backend and answered 2xx by it. */
  delivered: number;
  /** Requests held without an answer. */
  hung: number;
  /** Requests answered with the configured failure status. */
  failed: number;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`; the port stays the same across `refuse`. */
  readonly url: string;
  readonly mode: ProxyMode;
  /** Counts since the last `setMode`. */
  readonly counts: Readonly<ProxyCounts>;
  /** Most requests open at once since the last `setMode`. */
  readonly maxOpen: number;
  /** Switches mode; `refuse` closes the port and every connection, leaving it refuses reopens it. */
  setMode(mode: ProxyMode): Promise<void>;
  close(): Promise<void>;
}

const zero = (): ProxyCounts => ({ received: 0, delivered: 0, hung: 0, failed: 0 });

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  let mode: ProxyMode = { kind: 'pass' };
  let counts = zero();
  let open = 0;
  let maxOpen = 0;
  const sockets = new Set<Socket>();
  const held = new Set<ServerResponse>();

  /** The client's request as sent to the upstream: same method, path and headers, its body. */
  const upstreamOptions = (req: IncomingMessage, body: Buffer) => ({
    host: target.hostname,
    port: target.port,
    method: req.method,
    path: req.url,
    headers: { ...req.headers, host: target.host, 'content-length': String(body.length) },
  });

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const upstreamReq = request(upstreamOptions(req, body), (upstreamRes) => {
      const ok = (upstreamRes.statusCode ?? 0) >= 200 && (upstreamRes.statusCode ?? 0) < 300;
      if (ok) counts.delivered++;
      if (res.destroyed) {
        upstreamRes.resume();
        return;
      }
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      upstreamRes.pipe(res);
    });
    upstreamReq.on('error', () => {
      if (!res.headersSent && !res.destroyed) res.writeHead(502).end();
    });
    upstreamReq.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    counts.received++;
    open++;
    maxOpen = Math.max(maxOpen, open);
    res.on('close', () => {
      open--;
      held.delete(res);
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const m = mode;
      switch (m.kind) {
        case 'pass':
          forward(req, body, res);
          return;
        case 'hang':
          counts.hung++;
          held.add(res);
          return;
        case 'status':
          counts.failed++;
          res.writeHead(m.status, { 'content-type': 'text/plain', ...m.headers });
          res.end(`injected ${m.status}\n`);
          return;
        case 'slow':
          setTimeout(() => {
            // The client may have given up meanwhile; a late delivery is still a delivery.
            forward(req, body, res);
          }, m.delayMs);
          return;
        case 'trickle': {
          // The backend gets the data (and counts it); the client never gets an end.
          const upstreamReq = request(upstreamOptions(req, body), (upstreamRes) => {
            upstreamRes.resume();
            if ((upstreamRes.statusCode ?? 0) < 300) counts.delivered++;
          });
          upstreamReq.on('error', () => undefined);
          upstreamReq.end(body);
          counts.hung++;
          held.add(res);
          res.writeHead(200, { 'content-type': 'application/x-protobuf' });
          res.write(' ');
          const timer = setInterval(() => res.write(' '), m.everyMs);
          res.on('close', () => clearInterval(timer));
          return;
        }
        case 'refuse':
          // Only a request that raced the close gets here.
          res.destroy();
          return;
      }
    });
  };

  const server: Server = createServer(handle);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let listening = true;

  const stopListening = () =>
    new Promise<void>((resolve) => {
      listening = false;
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        listening = true;
        resolve();
      });
    });

  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    get counts() {
      return counts;
    },
    get maxOpen() {
      return maxOpen;
    },
    async setMode(next) {
      mode = next;
      counts = zero();
      maxOpen = open;
      if (next.kind === 'refuse' && listening) await stopListening();
      if (next.kind !== 'refuse' && !listening) await listen();
    },
    async close() {
      for (const res of held) res.destroy();
      if (listening) await stopListening();
    },
  };
}
