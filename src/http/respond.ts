import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody, type HttpError } from './errors.js';

/**
 * `no-cache`: caches must revalidate every time (cheap: the ETag answers 304 while the snapshot
 * is unchanged). A max-age would let a proxy keep serving "healthy" after a target went down,
 * and /health is what load balancers and probes act on.
 */
const CACHE_CONTROL = 'no-cache';
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * JSON of derived figures, each non-integer rounded to 15 significant digits: ratios and scores
 * computed in binary floating point end in noise like 63.74999999999999; 15 digits drop the
 * noise and keep every digit the inputs had.
 */
export function derivedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v)
      ? Number(v.toPrecision(15))
      : v,
  );
}

export function etagOf(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/** True when an `If-None-Match` list names `etag` (weak comparison, as RFC 9110 asks for GET). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  for (const raw of header.split(',')) {
    const tag = raw.trim();
    if (tag === '*' || tag.replace(/^W\//, '') === etag) return true;
  }
  return false;
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string>,
): void {
  if (res.headersSent || res.destroyed) return;
  const length = Buffer.byteLength(body);
  res.writeHead(status, {
    'Content-Type': JSON_TYPE,
    'Content-Length': String(length),
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Answers JSON with an ETag; a 200 whose ETag the client already has becomes a bodiless 304. */
export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
): void {
  const etag = etagOf(body);
  if (status === 200 && matchesEtag(req.headers['if-none-match'], etag)) {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(304, { ETag: etag, 'Cache-Control': CACHE_CONTROL });
    res.end();
    return;
  }
  send(req, res, status, body, { ETag: etag, 'Cache-Control': CACHE_CONTROL });
}

export function sendError(req: IncomingMessage, res: ServerResponse, error: HttpError): void {
  send(req, res, error.status, errorBody(error.code, error.message), {
    'Cache-Control': 'no-store',
    ...error.headers,
  });
}

export function sendText(
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
  contentType: string,
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, {
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
