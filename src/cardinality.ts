/**
 * Bounded `target` cardinality. The first `maxTargets` distinct targets keep their own label
 * value; later ones fold into {@link OVERFLOW_TARGET}, and how many did is counted, so a
 * misbehaving discovery source cannot multiply series without bound.
 */

/** The documented `target` label value that targets beyond the cap fold into. */
export const OVERFLOW_TARGET = '__overflow__';

export const DEFAULT_MAX_TARGETS = 500;

export class TargetGuard {
  private readonly admitted = new Set<string>();
  private readonly folded = new Set<string>();

  constructor(readonly maxTargets = DEFAULT_MAX_TARGETS) {
    if (!Number.isInteger(maxTargets) || maxTargets < 1) {
      throw new RangeError(`maxTargets must be a positive integer, got ${maxTargets}`);
    }
  }

  /** The label value for `target`: itself while under the cap, else the overflow value. */
  admit(target: string): string {
    if (this.admitted.has(target)) return target;
    if (this.admitted.size < this.maxTargets) {
      this.admitted.add(target);
      this.folded.delete(target);
      return target;
    }
    // Bounded too: past 10× the cap we only know "many".
    if (this.folded.size < this.maxTargets * 10) this.folded.add(target);
    return OVERFLOW_TARGET;
  }

  /** Frees the target's place so another can take it. */
  forget(target: string): void {
    this.admitted.delete(target);
    this.folded.delete(target);
  }

  /** Distinct targets currently folded into the overflow value. */
  get overflowedTargets(): number {
    return this.folded.size;
  }

  get admittedTargets(): number {
    return this.admitted.size;
  }
}
