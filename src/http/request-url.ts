import { badRequest, HttpError } from './errors.js';

export interface ParsedUrl {
  /** The path as sent (still percent-encoded). */
  readonly rawPath: string;
  /** Query parameters, decoded; each name at most once. */
  readonly query: ReadonlyMap<string, string>;
}

/** Percent-decodes or answers 400: `decodeURIComponent` throws on `%zz` or broken UTF-8. */
export function decodeComponent(value: string, what: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw badRequest(`malformed percent-encoding in ${what}`);
  }
}

/** Splits a request target into path and query; rejects what cannot be read with 400/414. */
export function parseRequestUrl(url: string | undefined, maxLength: number): ParsedUrl {
  let target = url ?? '/';
  if (target.length > maxLength) {
    throw new HttpError(414, 'uri_too_long', `request URL longer than ${maxLength} characters`);
  }
  if (!target.startsWith('/')) {
    // Absolute form (`GET http://host/path`), as sent to proxies.
    try {
      const parsed = new URL(target);
      target = parsed.pathname + parsed.search;
    } catch {
      throw badRequest('request URL is not a valid path');
    }
  }
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  const query = new Map<string, string>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '), 'query');
    const value = decodeComponent(eq < 0 ? '' : pair.slice(eq + 1).replace(/\+/g, ' '), 'query');
    if (query.has(name)) {
      throw badRequest(`query parameter '${name}' given more than once`, 'invalid_parameter');
    }
    query.set(name, value);
  }
  return { rawPath, query };
}

/** Rejects parameters an endpoint does not know, so a misspelt filter is not silently ignored. */
export function allowOnly(query: ReadonlyMap<string, string>, allowed: readonly string[]): void {
  for (const name of query.keys()) {
    if (!allowed.includes(name)) {
      const hint =
        allowed.length === 0 ? 'this endpoint takes none' : `allowed: ${allowed.join(', ')}`;
      throw badRequest(
        `unknown query parameter '${name.slice(0, 64)}' (${hint})`,
        'unknown_parameter',
      );
    }
  }
}
