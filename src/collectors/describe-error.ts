/**
 * A thrown value as a one-line message, whatever it is. A port may throw anything: a string, an
 * `Object.create(null)` (no `toString`, so `String(err)` throws), an Error whose `message` getter
 * throws, a Proxy that throws on every access. Describing the failure must never fail in turn,
 * or the collector's failure goes unrecorded (`collector_up` stayed 1, nothing was counted).
 */
export function describeError(err: unknown): string {
  try {
    if (err instanceof Error) {
      const message: unknown = err.message;
      if (typeof message === 'string') return message;
    }
    if (typeof err === 'string') return err;
    return String(err);
  } catch {
    // Fall through: the value cannot be printed.
  }
  try {
    return `unprintable ${typeof err} thrown`;
  } catch {
    return 'unprintable value thrown';
  }
}
