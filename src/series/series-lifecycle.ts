/** What the lifecycle needs of a collector run. */
export interface TargetsRun {
  readonly ok: boolean;
  /** `target` label values observed by a successful run. */
  readonly targets?: ReadonlySet<string>;
}

/**
 * Which targets the collectors report, per collector, as of each one's last successful run. A
 * target that no collector reports any more has left the pipeline, and the registry drops its
 * recorder series. A failed run says nothing about which targets exist, so it changes nothing.
 */
export class SeriesLifecycle {
  private readonly targets = new Map<string, ReadonlySet<string>>();

  /** Forgets a collector that was unregistered. */
  disown(collector: string): void {
    this.targets.delete(collector);
  }

  /** Records a run; returns the targets the previous successful run reported and this one not. */
  onRun(collector: string, run: TargetsRun): string[] {
    if (!run.ok) return [];
    const previous = this.targets.get(collector);
    const targets = run.targets ?? new Set<string>();
    this.targets.set(collector, targets);
    const vanished: string[] = [];
    if (previous !== undefined) for (const t of previous) if (!targets.has(t)) vanished.push(t);
    return vanished;
  }

  /** True when any collector's last successful run still reports `target`. */
  isReported(target: string): boolean {
    for (const targets of this.targets.values()) if (targets.has(target)) return true;
    return false;
  }
}
