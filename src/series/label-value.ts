/**
 * Longest label value kept, in UTF-16 code units. 256 holds any DNS name (253) and any target
 * name a configuration gives, while bounding `/metrics`: five target names of 1 MiB made a
 * 615 MiB exposition (every series of a target repeats its name). Longer values are dropped and
 * counted rather than truncated, because two long names sharing a prefix would otherwise merge
 * into one series and add up each other's counters.
 */
export const MAX_LABEL_VALUE_LENGTH = 256;

/** True for a string label value the library keeps: non-empty and at most the maximum length. */
export function usableLabelValue(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= MAX_LABEL_VALUE_LENGTH;
}
