/**
 * A URL as it may be logged: user name and password (`https://user:secret@collector/…`) and the
 * values of query parameters (`?api-key=…`, a common way to pass a backend's key) are replaced
 * by `***`. Failure lines are read by people who must not learn the endpoint's credentials.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '***';
  }
  if (url.username !== '') url.username = '***';
  if (url.password !== '') url.password = '***';
  for (const key of [...new Set(url.searchParams.keys())]) url.searchParams.set(key, '***');
  return url.toString().replace(/%2A%2A%2A/g, '***');
}

/** `text` with every credential `raw` carries (user, password, query values) replaced by `***`. */
export function redactCredentials(text: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return text;
  }
  const secrets = [
    url.username,
    url.password,
    ...url.searchParams.values(),
    decodeURIComponent(url.password),
  ].filter((s) => s.length >= 3);
  let out = text.split(raw).join(redactUrl(raw));
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}
