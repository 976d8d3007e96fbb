import { usableLabelValue } from './label-value.js';
import type { TargetLabels } from './target-labels.js';

/**
 * Per-target records of slot indices. A record is created once per label value (a target, the
 * overflow value, or a type) and cached by target name while that stays valid, so the hot path is
 * one `Map.get(target)`.
 */
export class TargetRecords<R> {
  private readonly byTarget = new Map<string, R>();
  private readonly byLabel = new Map<string, R>();

  constructor(
    private readonly labels: TargetLabels,
    private readonly create: (label: string) => R,
  ) {}

  /** The record of `target`; undefined for a non-string, empty or over-long target. */
  get(target: string): R | undefined {
    const record = this.byTarget.get(target);
    return record !== undefined ? record : this.resolve(target);
  }

  /** The target's label changed (its type was learned): resolve it again on next use. */
  invalidate(target: string): void {
    this.byTarget.delete(target);
  }

  /** The target left: drop its record (in `type` mode the type's record stays). */
  forget(target: string): void {
    this.byTarget.delete(target);
    if (this.labels.mode === 'target') this.byLabel.delete(target);
  }

  private resolve(target: string): R | undefined {
    if (!usableLabelValue(target)) return undefined;
    const label = this.labels.resolve(target);
    let record = this.byLabel.get(label);
    if (record === undefined) {
      record = this.create(label);
      this.byLabel.set(label, record);
    }
    if (this.labels.isStable(target, label)) this.byTarget.set(target, record);
    return record;
  }
}
