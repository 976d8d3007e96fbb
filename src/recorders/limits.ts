/**
 * The bounds every value the library exports is checked against. A value outside them is dropped
 * and counted (`recorder_rejected_total`, `collection_invalid_values_total`), never exported.
 * The bound on label values, shared with the collectors, is `series/label-value.ts`.
 */

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
