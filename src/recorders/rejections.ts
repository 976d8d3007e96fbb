import { instrumentName, metricDefinition } from '../catalog.js';
import { MAX_LABEL_VALUE_LENGTH } from '../series/label-value.js';
import { NumberStore } from '../series/number-store.js';

/**
 * Why a recorder dropped a call or one value of it: a closed set, so dashboards and alerts can
 * name every reason (as Alertmanager's notification failure reasons are).
 *
 * - `nan`: a number argument that is NaN or not a number at all;
 * - `negative`: a duration, size or count below zero;
 * - `too_large`: Infinity or above the documented maximum (`MAX_DURATION_SECONDS`, ...);
 * - `unknown_value`: a value outside a closed set (priority, state, status, reason, action);
 * - `empty_target`: a target name that is empty or not a string;
 * - `empty_label`: another label argument (publisher, operation, status, auth type) empty or not
 *   a string;
 * - `too_long`: a label argument longer than `MAX_LABEL_VALUE_LENGTH`.
 */
export const REJECT_REASONS = [
  'nan',
  'negative',
  'too_large',
  'unknown_value',
  'empty_target',
  'empty_label',
  'too_long',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

/** The recorders the library creates; every one's series start at zero. */
export const RECORDER_NAMES = ['refresh', 'queue', 'publisher', 'discovery', 'self'] as const;

/** The reason a number was rejected (call only for a value that failed its range check). */
export function numberProblem(value: number): RejectReason {
  if (typeof value !== 'number' || Number.isNaN(value)) return 'nan';
  return value < 0 ? 'negative' : 'too_large';
}

/** The reason a label argument was rejected; `fallback` when the value itself looks usable. */
export function labelProblem(value: unknown, empty: RejectReason, fallback: RejectReason) {
  if (typeof value !== 'string' || value === '') return empty;
  return value.length > MAX_LABEL_VALUE_LENGTH ? 'too_long' : fallback;
}

/**
 * `recorder_rejected_total`, shared by every recorder of one collector (one store, so the family
 * is exported once): the collector creates it and hands it to its recorders in their context.
 * Rejection is the cold path: a slot lookup per call is fine there.
 */
export class RecorderRejections {
  readonly store: NumberStore;
  private readonly slots = new Map<string, Int32Array>();

  constructor(namespace: string) {
    const def = metricDefinition('recorder_rejected_total');
    this.store = new NumberStore('counter', def, instrumentName(def, namespace));
    for (const recorder of RECORDER_NAMES) this.slotsOf(recorder);
  }

  /** The slots of a recorder's series, one per reason, created at zero. */
  slotsOf(recorder: string): Int32Array {
    let slots = this.slots.get(recorder);
    if (slots === undefined) {
      slots = Int32Array.from(REJECT_REASONS.map((reason) => this.store.slot([recorder, reason])));
      this.slots.set(recorder, slots);
    }
    return slots;
  }

  count(slots: Int32Array, reason: RejectReason): void {
    this.store.values[slots[REJECT_REASONS.indexOf(reason)]!]! += 1;
  }
}
