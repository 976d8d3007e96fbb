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

/** Hashing the UTF-8 bytes gives the same tag as hashing the string they encode. */
export function etagOf(body: string | Buffer): string {
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

/**
 * A JSON answer encoded once: its UTF-8 bytes, ETag and response headers. Hashing and encoding an
 * ≈88 KB body took most of a request's time (docs/performance.md, P4), so an answer is encoded
 * where it is rendered and kept with the snapshot it was rendered from; every request that reads
 * the same snapshot and query then writes the ready bytes.
 */
export interface EncodedJson {
  readonly status: number;
  readonly body: Buffer;
  readonly etag: string;
  /**
   * Headers of the full answer (HEAD included). `writeHead` only reads the object, so one serves
   * every request; frozen so that no caller can change another request's headers through it.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** Headers of the 304 answered to a client that already holds `etag`. */
  readonly notModified: Readonly<Record<string, string>>;
}

export function encodeJson(status: number, json: string): EncodedJson {
  const body = Buffer.from(json, 'utf8');
  const etag = etagOf(body);
  return {
    status,
    body,
    etag,
    headers: Object.freeze({
      'Content-Type': JSON_TYPE,
      'Content-Length': String(body.length),
      'X-Content-Type-Options': 'nosniff',
      ETag: etag,
      'Cache-Control': CACHE_CONTROL,
    }),
    notModified: Object.freeze({ ETag: etag, 'Cache-Control': CACHE_CONTROL }),
  };
}

/** Answers an encoded JSON body; a 200 whose ETag the client already has becomes a bodiless 304. */
export function sendEncoded(req: IncomingMessage, res: ServerResponse, answer: EncodedJson): void {
  if (res.headersSent || res.destroyed) return;
  if (answer.status === 200 && matchesEtag(req.headers['if-none-match'], answer.etag)) {
    res.writeHead(304, answer.notModified);
    res.end();
    return;
  }
  res.writeHead(answer.status, answer.headers);
  res.end(req.method === 'HEAD' ? undefined : answer.body);
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
