/**
 * The bounds every value the library exports is checked against. A value outside them is dropped
 * and counted (`recorder_rejected_total`, `collection_invalid_values_total`), never exported.
 */

/**
 * Longest label value kept, in UTF-16 code units. 256 holds any DNS name (253) and any target
 * name a configuration gives, while bounding `/metrics`: five target names of 1 MiB made a
 * 615 MiB exposition (every series of a target repeats its name). Longer values are dropped and
 * counted rather than truncated, because two long names sharing a prefix would otherwise merge
 * into one series and add up each other's counters.
 */
export const MAX_LABEL_VALUE_LENGTH = 256;

/**
 * Longest duration a recorder accepts, seconds (7 days). Jobs, requests, refreshes and discovery
 * operations take milliseconds to minutes; a larger value is a unit mistake or garbage. The bound
 * keeps every histogram `_sum` finite: one `1e308` made it +Inf for the life of the process,
 * while at 7 days per observation a double overflows after ~1e302 observations.
 */
export const MAX_DURATION_SECONDS = 7 * 24 * 3600;

/** Largest webhook payload accepted, bytes (1 GiB): a bigger request body is not a webhook. */
export const MAX_PAYLOAD_BYTES = 2 ** 30;

/** Largest count a recorder gauge accepts (cache entries, active incidents). */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/** True for a string label value the library keeps: non-empty and at most the maximum length. */
export function usableLabelValue(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= MAX_LABEL_VALUE_LENGTH;
}
