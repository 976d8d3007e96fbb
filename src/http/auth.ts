import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

const REALM = 'Bearer realm="publishing-stats"';

/**
 * RFC 6750's `b64token` (RFC 7235's token68): the only tokens a client can send in
 * `Authorization: Bearer …`. A token with a space, a control character or a non-ASCII character
 * could never be presented intact (HTTP headers are Latin-1 and split on spaces), so every request
 * would be refused: such a token is rejected where it is configured.
 */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const PRESENTED = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Returns `token` when it is a usable bearer token; otherwise throws a TypeError naming `option`
 * and what is wrong, so a misconfigured token fails at startup instead of locking every client out.
 */
export function assertBearerToken(token: unknown, option = 'token'): string {
  if (typeof token !== 'string' || token.length === 0) {
    throw new TypeError(`${option} must be a non-empty string`);
  }
  if (!TOKEN68.test(token)) {
    const bad = [...token].find((c) => !/[A-Za-z0-9\-._~+/=]/.test(c)) ?? '=';
    const shown = /^[\x20-\x7e]$/.test(bad)
      ? `'${bad}'`
      : `U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    throw new TypeError(
      `${option} can never match: a bearer token is letters, digits and - . _ ~ + / with '=' ` +
        `only at the end (RFC 6750), but it contains ${shown}`,
    );
  }
  return token;
}

/** Why a request was refused, ready to answer: 401 with its `WWW-Authenticate` header. */
export interface BearerRefusal {
  readonly status: 401;
  readonly code: 'unauthorized';
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * A constant-time check of an `Authorization` header value against `token`; undefined when it
 * presents the token, else the refusal to answer. Both sides are hashed to fixed-length SHA-256
 * digests and compared with `timingSafeEqual`, so the time taken depends neither on the length of
 * the presented token nor on how many of its leading characters match. The token is validated
 * first (see {@link assertBearerToken}). Used by the stats API and the Prometheus endpoint alike.
 */
export function bearerVerifier(
  token: string,
  options: { option?: string; realm?: string } = {},
): (authorization: string | string[] | undefined) => BearerRefusal | undefined {
  const expected = digest(assertBearerToken(token, options.option));
  const realm = options.realm === undefined ? REALM : `Bearer realm="${options.realm}"`;
  const missing: BearerRefusal = Object.freeze({
    status: 401,
    code: 'unauthorized',
    message: 'a bearer token is required',
    headers: Object.freeze({ 'WWW-Authenticate': realm }),
  });
  const invalid: BearerRefusal = Object.freeze({
    status: 401,
    code: 'unauthorized',
    message: 'the bearer token is not valid',
    headers: Object.freeze({ 'WWW-Authenticate': `${realm}, error="invalid_token"` }),
  });
  return (authorization) => {
    const match = typeof authorization === 'string' ? PRESENTED.exec(authorization) : null;
    if (match === null) return missing;
    return timingSafeEqual(digest(match[1] as string), expected) ? undefined : invalid;
  };
}

/** The stats API's check: throws the 401 as an HttpError, so it is answered as JSON. */
export function bearerCheck(token: string, option = 'token'): (req: IncomingMessage) => void {
  const verify = bearerVerifier(token, { option });
  return (req) => {
    const refusal = verify(req.headers.authorization);
    if (refusal !== undefined) {
      throw new HttpError(refusal.status, refusal.code, refusal.message, refusal.headers);
    }
  };
}
