/**
 * Generated hostile HTTP input for the stats API: requests a client library can send (odd
 * methods, paths, percent-encodings, queries, headers, oversized URLs and headers) and raw bytes
 * only a socket can send (malformed request lines and headers). Everything comes from one seeded
 * stream, so a failure names the seed and index that reproduce it.
 */
import type { Rng } from './prng.js';

export const BASE = '/api/v2/publishing';

/** What a request is expected to meet on a server that requires a bearer token. */
export type AuthCase = 'none' | 'valid' | 'wrong' | 'malformed';

export interface ClientRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /**
   * Request line and headers beyond the server's 16 KiB limit: 431 (or 400 when the parser
   * fails on a character first), or the connection closed while sending.
   */
  oversized: boolean;
  /** A plain route of ours without query or encoding: on a token server, auth decides. */
  plainRoute: boolean;
  auth: AuthCase;
  /** A Host header naming another server (DNS rebinding) or no valid host: 421 on the stats API. */
  foreignHost: boolean;
}

/** Hosts a rebinding page or a confused client would send; none is the server's own address. */
const FOREIGN_HOSTS = [
  'evil.example',
  'evil.example:8080',
  'rebind.attacker.test',
  '127.0.0.1.nip.io',
  'localhost.evil.example',
  '[::2]',
  '[fe80::1]:8080',
  '10.0.0.1',
  'a b',
  'http://127.0.0.1/',
  'x'.repeat(300),
];

const ROUTES = [
  '/metrics',
  `${BASE}/snapshot`,
  `${BASE}/stats`,
  `${BASE}/health`,
  `${BASE}/trends`,
  `${BASE}/stats/slack-ops`,
  `${BASE}/stats/webhook-audit`,
  `${BASE}/stats/${encodeURIComponent('team/alerts channel ✓ €')}`,
];

const METHODS = ['GET', 'GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'];
const ODD_METHODS = ['TRACE', 'PROPFIND', 'MKCOL', 'PURGE', 'LINK', 'SEARCH', 'REPORT'];

/** Path pieces: traversal, separators, valid and invalid percent-encodings, latin-1, overlong UTF-8. */
const PIECES = [
  'stats',
  'health',
  'snapshot',
  'trends',
  'metrics',
  'slack-ops',
  '..',
  '.',
  '/',
  '//',
  ';',
  ',',
  '~',
  '!',
  '$',
  "'",
  '(',
  '*',
  '@',
  ':',
  '%',
  '%2',
  '%2F',
  '%2f',
  '%5C',
  '%00',
  '%0A',
  '%0D%0A',
  '%ZZ',
  '%G1',
  '%%',
  '%E2%9C%93',
  '%E2%9C',
  '%C0%80',
  '%C0%AF',
  '%ED%A0%80',
  '%F4%90%80%80',
  '%FF',
  '%25',
  '%252F',
  '%u2215',
  '\u00e9',
  '\u00ff',
  '"',
  '<',
  '>',
  '`',
  '{',
  '}',
  '|',
  '\\',
  '^',
  '[',
  ']',
];

const QUERY_NAMES = ['limit', 'offset', 'sort', 'type', 'status', 'x', '', '%ZZ', 'limit%00', '+'];
const QUERY_VALUES = [
  '1',
  '0',
  '-1',
  '1000',
  '1001',
  '99999999999',
  '1e3',
  '0x10',
  'NaN',
  'name',
  '-score',
  'success_rate',
  '--name',
  'healthy',
  'unknown',
  'slack',
  '',
  '%',
  '%zz',
  '%E2%9C',
  '%00',
  '+',
  'a'.repeat(300),
  '=',
  '&',
];

const HEADER_NAME_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789-_!#$%&*+.^`|~';
const HEADER_VALUE_CHARS =
  ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\t';

function chars(rng: Rng, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[rng.int(alphabet.length)];
  return out;
}

function randomPath(rng: Rng): { path: string; plain: boolean } {
  const roll = rng.next();
  if (roll < 0.25) return { path: rng.pick(ROUTES), plain: true };
  let tail = '';
  const n = 1 + rng.int(6);
  for (let i = 0; i < n; i++) tail += rng.pick(PIECES);
  if (roll < 0.75) return { path: `${BASE}/${tail}`, plain: false };
  if (roll < 0.85) return { path: `${rng.pick(ROUTES)}${tail}`, plain: false };
  if (roll < 0.92) return { path: `/${tail}`, plain: false };
  // Absolute form, as sent to proxies.
  return { path: `http://stats.example${rng.pick(ROUTES)}`, plain: false };
}

function randomQuery(rng: Rng): string {
  if (rng.chance(0.5)) return '';
  const pairs: string[] = [];
  const n = 1 + rng.int(4);
  for (let i = 0; i < n; i++) {
    const name = rng.pick(QUERY_NAMES);
    pairs.push(rng.chance(0.15) ? name : `${name}=${rng.pick(QUERY_VALUES)}`);
  }
  return `?${pairs.join(rng.chance(0.9) ? '&' : ';')}`;
}

function authHeader(rng: Rng, token: string): { auth: AuthCase; header?: string } {
  const roll = rng.int(9);
  switch (roll) {
    case 0:
      return { auth: 'none' };
    case 1:
    case 2:
      return { auth: 'valid', header: `Bearer ${token}` };
    case 3:
      return { auth: 'wrong', header: `Bearer ${token.slice(0, rng.int(token.length))}x` };
    case 4:
      return { auth: 'wrong', header: `Bearer ${chars(rng, 'abcdef0123456789', 1 + rng.int(80))}` };
    case 5:
      return { auth: 'malformed', header: `Basic ${Buffer.from(`u:${token}`).toString('base64')}` };
    case 6:
      return { auth: 'malformed', header: 'Bearer' };
    case 7:
      return { auth: 'malformed', header: `Bearer ${token} ${token}` };
    default:
      return { auth: 'wrong', header: `bearer ${token}${chars(rng, 'xyz', 1 + rng.int(3))}` };
  }
}

/** A request node's client will send (its own checks would reject control characters). */
export function clientRequest(rng: Rng, token: string): ClientRequest {
  const { path, plain } = randomPath(rng);
  const query = randomQuery(rng);
  let fullPath = path + query;
  const method = rng.chance(0.05) ? rng.pick(ODD_METHODS) : rng.pick(METHODS);
  const headers: Record<string, string> = {};
  const extra = rng.int(4);
  for (let i = 0; i < extra; i++) {
    headers[`x-${chars(rng, HEADER_NAME_CHARS, 1 + rng.int(20))}`] = chars(
      rng,
      HEADER_VALUE_CHARS,
      rng.int(200),
    ).trim();
  }
  if (rng.chance(0.1)) headers['if-none-match'] = rng.pick(['*', '"x"', 'W/"y", "z"', '""', ',,,']);
  if (rng.chance(0.05)) headers['accept'] = chars(rng, HEADER_VALUE_CHARS, 50).trim();
  const { auth, header } = authHeader(rng, token);
  if (header !== undefined) headers['authorization'] = header;
  const foreignHost = rng.chance(0.08);
  if (foreignHost) headers['host'] = rng.pick(FOREIGN_HOSTS);
  let oversized = false;
  const size = rng.next();
  if (size < 0.02) {
    // Over the handler's 4,096-character URL limit, within node's header limit: 414.
    fullPath = `${BASE}/stats/${'a'.repeat(4100 + rng.int(4000))}`;
  } else if (size < 0.03) {
    fullPath = `${BASE}/stats?type=${'b'.repeat(20_000 + rng.int(20_000))}`;
    oversized = true;
  } else if (size < 0.04) {
    headers['x-padding'] = 'p'.repeat(20_000 + rng.int(20_000));
    oversized = true;
  }
  return {
    method,
    path: fullPath,
    headers,
    oversized,
    plainRoute: plain && query === '' && size >= 0.04,
    auth,
    foreignHost,
  };
}

const RAW_LINES = [
  'GET',
  'GET /',
  'GET / HTTP/1.1 extra',
  'GET  /  HTTP/1.1',
  'GET / HTTP/9.9',
  'GET / HTTP/1.',
  'GET / HTTX/1.1',
  'GET / http/1.1',
  'G\u0000T / HTTP/1.1',
  ' GET / HTTP/1.1',
  '/ HTTP/1.1',
  'HTTP/1.1 200 OK',
  '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003',
  'PRI * HTTP/2.0',
  'CONNECT stats.example:443 HTTP/1.1',
  'OPTIONS * HTTP/1.1',
  `GET ${BASE}/stats\u0000 HTTP/1.1`,
  `GET ${BASE}/stats/\u00e9\u00ff HTTP/1.1`,
  `GET ${BASE}/st ats HTTP/1.1`,
  `GET ${BASE}/stats\tHTTP/1.1`,
  `GET ${BASE}/stats/%E0%A4%A HTTP/1.1`,
  `GET ${BASE}/stats/%zz HTTP/1.1`,
  `GET ${BASE}/stats?limit=%ff HTTP/1.1`,
  `GET ${BASE}/health HTTP/1.0`,
  `GET http://x${BASE}/health HTTP/1.1`,
  `GET https://[::1${BASE}/health HTTP/1.1`,
  `GET http:// HTTP/1.1`,
  `GET //${BASE}/health HTTP/1.1`,
  `${'A'.repeat(300)} / HTTP/1.1`,
  `GET /${'%'.repeat(3000)} HTTP/1.1`,
];

const RAW_HEADERS = [
  'Host: x',
  'Host: x\r\nHost: y',
  'Host x',
  'Host:: x',
  ': no-name',
  'Bad Header: x',
  'Host: x\r\n folded: continuation',
  'Host: x\r\nContent-Length: 5\r\nContent-Length: 6',
  'Host: x\r\nContent-Length: -1',
  'Host: x\r\nContent-Length: abc',
  'Host: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3',
  'Host: x\r\nTransfer-Encoding: gzip, chunked, identity',
  'Host: x\r\nTransfer-Encoding: chunked',
  'Host: x\r\nAuthorization: Bearer \u0000',
  'Host: x\r\nX-Ctl: a\u0001b',
  'Host: x\r\nX-Latin: \u00e9',
  'Host: x\r\nConnection: upgrade\r\nUpgrade: websocket',
  'Host: x\r\nExpect: 100-continue\r\nContent-Length: 10',
  'Host: x\r\nIf-None-Match: ' + '"'.repeat(500),
  '',
];

const BODIES = ['', '', '', 'abc', '0\r\n\r\n', 'zz\r\nnot-chunked\r\n', '5\r\nab'];

/** Raw request bytes; about half are valid HTTP framing around odd content. */
export function rawRequest(rng: Rng): string {
  const line = rng.pick(RAW_LINES);
  const headers = rng.pick(RAW_HEADERS);
  const eol = rng.chance(0.1) ? '\n' : '\r\n';
  const connection = rng.chance(0.7) ? `${eol}Connection: close` : '';
  const head =
    headers === ''
      ? `${line}${eol}`
      : `${line}${eol}${headers}${connection}${eol}`.replace(/\r\n/g, eol);
  return `${head}${eol}${rng.pick(BODIES)}`;
}
