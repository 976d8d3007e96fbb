/**
 * Checks of where a server is told to listen, made before it binds: `host: ''` makes Node listen
 * on every interface (like `0.0.0.0`/`::`), which a config that meant "unset" must not do silently.
 */

/**
 * Returns the interface to bind: `fallback` when `host` is undefined, `host` when it names one.
 * Throws a TypeError naming `option` for an empty or blank string, which would bind every
 * interface; binding all of them is still possible, on purpose, with `'0.0.0.0'` or `'::'`.
 */
export function bindHost(host: string | undefined, fallback: string, option = 'host'): string {
  if (host === undefined) return fallback;
  if (typeof host !== 'string') {
    throw new TypeError(`${option} must be a string such as '${fallback}', got ${typeof host}`);
  }
  if (host.trim() === '') {
    throw new TypeError(
      `${option} is empty, which would listen on every interface: leave it out for ` +
        `'${fallback}', or write '0.0.0.0' or '::' to expose the server on purpose`,
    );
  }
  return host;
}
