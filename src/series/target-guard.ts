/**
 * Bounded `target` cardinality. The first `maxTargets` distinct targets keep their own label
 * value; later ones fold into {@link OVERFLOW_TARGET}, and how many did is counted (exported as
 * `targets_overflowed`), so a misbehaving discovery source cannot multiply series without bound.
 */

/** The documented `target` label value that targets beyond the cap fold into. */
export const OVERFLOW_TARGET = '__overflow__';

export const DEFAULT_MAX_TARGETS = 500;

export class TargetGuard {
  private readonly admitted = new Set<string>();
  private readonly folded = new Set<string>();
  private readonly listeners: Array<(foldedTargets: number) => void> = [];

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
      if (this.folded.delete(target)) this.foldedChanged();
      return target;
    }
    // Bounded too: past 10× the cap we only know "many".
    if (this.folded.size < this.maxTargets * 10 && !this.folded.has(target)) {
      this.folded.add(target);
      this.foldedChanged();
    }
    return OVERFLOW_TARGET;
  }

  /** Frees the target's place so another can take it. */
  forget(target: string): void {
    this.admitted.delete(target);
    if (this.folded.delete(target)) this.foldedChanged();
  }

  /** Calls `listener` with the number of folded targets whenever it changes (self-monitoring). */
  watch(listener: (foldedTargets: number) => void): void {
    this.listeners.push(listener);
    listener(this.folded.size);
  }

  /** Distinct targets currently folded into the overflow value. */
  get overflowedTargets(): number {
    return this.folded.size;
  }

  get admittedTargets(): number {
    return this.admitted.size;
  }

  private foldedChanged(): void {
    for (const listener of this.listeners) listener(this.folded.size);
  }
}
