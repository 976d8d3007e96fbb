/** Minimal HTTP clients for the hostile-input tests: one over node:http, one over raw sockets. */
import { request, type Agent } from 'node:http';
import { connect } from 'node:net';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

export type Outcome = Answer | { error: string; ms: number };

/** One request through `agent` with the path and headers sent as given. */
export function httpRequest(
  port: number,
  agent: Agent,
  options: { method: string; path: string; headers: Record<string, string> },
): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    let req;
    try {
      req = request({ host: '127.0.0.1', port, agent, ...options }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        res.on('error', (err) => resolve({ error: err.message, ms: performance.now() - started }));
      });
    } catch (err) {
      // node's client refused to send it (a test-generator bug, reported as such).
      resolve({ error: `client refused: ${(err as Error).message}`, ms: 0 });
      return;
    }
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ error: err.code ?? err.message, ms: performance.now() - started }),
    );
    req.end();
  });
}

export interface RawAnswer {
  /** 0 when the server closed without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server neither answered nor closed within the timeout. */
  timedOut: boolean;
}

function parseHead(head: string): { status: number; headers: Record<string, string> } {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? -1);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers };
}

/** The body of a complete chunked encoding, or undefined while incomplete. */
function dechunk(bytes: Buffer): string | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = bytes.indexOf('\r\n', at);
    if (eol < 0) return undefined;
    const size = parseInt(bytes.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size)) return undefined;
    if (size === 0) return Buffer.concat(parts).toString('utf8');
    if (bytes.length < eol + 2 + size + 2) return undefined;
    parts.push(bytes.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/**
 * Writes raw bytes on a new connection and reads one final response (skipping 1xx), until its
 * Content-Length is complete, the server closes, or `timeoutMs` passes.
 */
export function rawRequest(port: number, bytes: string, timeoutMs = 3000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let settled = false;
    const finish = (answer: RawAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const tryParse = (closed: boolean) => {
      let text = data.toString('latin1');
      for (;;) {
        const end = text.indexOf('\r\n\r\n');
        if (end < 0) break;
        const { status, headers } = parseHead(text.slice(0, end));
        if (status >= 100 && status < 200) {
          text = text.slice(end + 4);
          continue;
        }
        const bodyBytes = Buffer.from(text.slice(end + 4), 'latin1');
        if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
          const body = dechunk(bodyBytes);
          if (body !== undefined) finish({ status, headers, body, timedOut: false });
          else if (closed) finish({ status, headers, body: '', timedOut: false });
          return;
        }
        const length = headers['content-length'];
        if (length !== undefined && bodyBytes.length >= Number(length)) {
          const body = bodyBytes.subarray(0, Number(length)).toString('utf8');
          finish({ status, headers, body, timedOut: false });
          return;
        }
        if (closed) {
          finish({ status, headers, body: bodyBytes.toString('utf8'), timedOut: false });
          return;
        }
        break;
      }
      if (closed) finish({ status: 0, headers: {}, body: text, timedOut: false });
    };
    const timer = setTimeout(() => {
      tryParse(true);
      finish({ status: 0, headers: {}, body: '', timedOut: true });
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      tryParse(false);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => tryParse(true));
    socket.write(Buffer.from(bytes, 'latin1'));
  });
}
