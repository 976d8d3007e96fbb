import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

/**
 * Which `Host` headers the stats API answers: `'*'` for any, or a list of host names (`name`
 * matches on any port, `name:port` on that port only; IPv6 in brackets). A list always includes
 * the address the connection arrived at (its IP literal, and `localhost`, `127.0.0.1`, `[::1]`
 * when that address is loopback), on any port.
 *
 * The reason is DNS rebinding: a web page on `evil.example` whose name is re-pointed at 127.0.0.1
 * can read a local API with no token, and its requests carry `Host: evil.example:PORT`. Refusing
 * names the server was not told about closes that; IP literals and `localhost` cannot be rebound,
 * and the port is not what makes a name safe, so implicit names are accepted with any port (a
 * proxy on the same host may forward `Host: localhost` to another port).
 */
export type AllowedHosts = '*' | readonly string[];

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

interface HostEntry {
  readonly name: string;
  /** undefined: any port. */
  readonly port: number | undefined;
}

/** `name[:port]` → parts, lower-cased; undefined when it is not a host (a URL, a path, spaces). */
export function parseHost(value: string): HostEntry | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9\-._~%!$&'()*+,;=]+)(?::(\d{1,5}))?$/i.exec(value);
  if (m === null) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && port > 65_535) return undefined;
  return { name: (m[1] as string).toLowerCase().replace(/\.$/, ''), port };
}

function isLoopback(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\./i.test(address);
}

/** An IP address as it appears in a Host header: IPv6 in brackets, IPv4-mapped IPv6 unwrapped. */
function hostForm(address: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4 !== null) return v4[1] as string;
  return isIP(address) === 6 ? `[${address.toLowerCase()}]` : address;
}

/**
 * The check of `Host` for `allowed`, or undefined when every host is allowed. Throws a TypeError
 * naming `option` for an entry that is not a host name, so a typo does not lock every client out.
 */
export function hostCheck(
  allowed: AllowedHosts | undefined,
  option = 'allowedHosts',
): ((req: IncomingMessage) => void) | undefined {
  if (allowed === undefined || allowed === '*') return undefined;
  if (!Array.isArray(allowed)) {
    throw new TypeError(`${option} must be '*' or an array of host names`);
  }
  const entries = allowed.map((value: unknown) => {
    // A bare IPv6 address (a bind address such as '::1') is written in brackets in a Host.
    const text = typeof value === 'string' && isIP(value) === 6 ? `[${value}]` : value;
    const entry = typeof text === 'string' ? parseHost(text) : undefined;
    if (entry === undefined) {
      throw new TypeError(
        `${option} entry ${JSON.stringify(value)} is not a host name such as 'stats.example' ` +
          `or 'stats.example:8080' (no scheme, no path)`,
      );
    }
    return entry;
  });
  return (req) => {
    const header = req.headers.host;
    // Browsers always send Host, so a request without one is no rebinding attack (HTTP/1.0).
    if (header === undefined) return;
    const host = parseHost(header);
    if (host !== undefined) {
      const port = host.port ?? 80;
      if (entries.some((e) => e.name === host.name && (e.port === undefined || e.port === port))) {
        return;
      }
      const local = req.socket.localAddress;
      if (local !== undefined) {
        if (host.name === hostForm(local)) return;
        if (isLoopback(local) && LOOPBACK_NAMES.includes(host.name)) return;
      }
    }
    throw new HttpError(
      421,
      'host_not_allowed',
      `this server does not answer for Host '${header.slice(0, 100)}'; add it to allowedHosts`,
    );
  };
}
