/** Narrows an unknown JSON value to a plain object (both the fake targets and the publishers read untrusted JSON). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
