import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

const REALM = 'Bearer realm="publishing-stats"';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Checks `Authorization: Bearer <token>`. Both sides are hashed to fixed-length SHA-256 digests
 * and compared with `timingSafeEqual`, so the time taken depends neither on the length of the
 * presented token nor on how many of its leading characters match.
 */
export function bearerCheck(token: string): (req: IncomingMessage) => void {
  if (typeof token !== 'string' || token.length === 0) {
    throw new TypeError('token must be a non-empty string');
  }
  const expected = digest(token);
  return (req) => {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
    if (match === null) {
      throw new HttpError(401, 'unauthorized', 'a bearer token is required', {
        'WWW-Authenticate': REALM,
      });
    }
    if (!timingSafeEqual(digest(match[1] as string), expected)) {
      throw new HttpError(401, 'unauthorized', 'the bearer token is not valid', {
        'WWW-Authenticate': `${REALM}, error="invalid_token"`,
      });
    }
  };
}
