/** Raised when a subsystem port does not answer within its collector's timeout. */
export class CollectorTimeoutError extends Error {
  constructor(
    readonly collector: string,
    readonly timeoutMs: number,
  ) {
    super(`collector '${collector}' timed out after ${timeoutMs} ms`);
    this.name = 'CollectorTimeoutError';
  }
}

/** Settles with `promise`, or rejects with `onTimeout()` after `ms`; the timer never outlives it. */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    // Kept referenced: a collection in progress is bounded by `ms` and must be allowed to finish.
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
