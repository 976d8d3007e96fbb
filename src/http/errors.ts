/** An error answered as `{ "error": { "code", "message" } }` with its status; never a stack. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

export const badRequest = (message: string, code = 'bad_request') =>
  new HttpError(400, code, message);

export const notFound = (message: string, code = 'not_found') => new HttpError(404, code, message);
