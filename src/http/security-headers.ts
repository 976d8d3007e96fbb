import type { ServerResponse } from 'node:http';

/**
 * Headers on every answer of the stats API (JSON, errors, `/metrics`, 304s): no answer may be
 * sniffed into HTML or script, framed (clickjacking of the status page), or load anything.
 * `X-Frame-Options` is for browsers older than CSP's `frame-ancestors`.
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
});

/**
 * Sets them before the answer is written, so every way of answering (ours, a delegated
 * `/metrics` handler) sends them; `writeHead` merges headers set this way.
 */
export function setSecurityHeaders(res: ServerResponse, contentSecurityPolicy?: string): void {
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) res.setHeader(name, value);
  if (contentSecurityPolicy !== undefined) {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy);
  }
}

/** The same headers as raw header lines (each ending in CRLF), for answers written to a socket. */
export const SECURITY_HEADER_LINES = Object.entries(API_SECURITY_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');
