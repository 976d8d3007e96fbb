import { OpenLabel } from '../recorders/labels.js';
import { usableLabelValue } from '../recorders/limits.js';
import type {
  DiscoveryStats,
  MaybePromise,
  PublishingTarget,
  TargetDiscoveryManager,
} from '../sources.js';
import type { Observations } from './observations.js';
import { isThenable, PortCollector, unixSeconds } from './port-collector.js';

interface DiscoveryReading {
  readonly targets: readonly PublishingTarget[];
  readonly stats: DiscoveryStats;
}

interface Combination {
  readonly type: string;
  readonly enabled: 'true' | 'false';
}

/**
 * Discovered targets from the host's discovery manager. Its target list is also what tells the
 * lifecycle that a target left: the listed names are reported as observed targets.
 */
export class DiscoveryCollector extends PortCollector<DiscoveryReading> {
  /** Type label values (64 distinct, then `other`). */
  private readonly types = new OpenLabel<string>((type) => type);
  /**
   * Every (type, enabled) pair reported so far: a pair whose targets all left reports 0 rather
   * than its last count (bounded by the type cap: at most 130 pairs).
   */
  private readonly combinations = new Map<string, Combination>();

  constructor(private readonly manager: TargetDiscoveryManager | undefined) {
    super('discovery', 'discovery');
  }

  isAvailable(): boolean {
    return this.manager !== undefined;
  }

  /** Synchronous when both port calls are (cached state), so the run needs no promise or timer. */
  protected read(): MaybePromise<DiscoveryReading> {
    if (this.manager === undefined) throw new Error('no discovery manager configured');
    const listed = this.manager.listTargets();
    let stats: MaybePromise<DiscoveryStats>;
    try {
      stats = this.manager.getStats();
    } catch (err) {
      // The first call's rejection, if any, is this run's error too: not an unhandled one.
      if (isThenable(listed)) Promise.resolve(listed).catch(() => undefined);
      throw err;
    }
    if (!isThenable(listed) && !isThenable(stats)) {
      return { targets: listed, stats } as DiscoveryReading;
    }
    return Promise.all([listed, stats]).then(([targets, s]) => ({ targets, stats: s }));
  }

  protected observe({ targets, stats }: DiscoveryReading, out: Observations): void {
    if (!Array.isArray(targets)) throw new TypeError('listTargets() did not return an array');
    if (stats === null || typeof stats !== 'object') {
      throw new TypeError('getStats() did not return an object');
    }
    const counts = new Map<string, number>();
    for (const t of targets) {
      if (!usableLabelValue(t?.name)) {
        out.invalid('listTargets()[].name');
        continue;
      }
      // An unusable type (empty, over-long) counts as `unknown`, as a missing one does.
      const type = this.types.get(usableLabelValue(t.type) ? t.type : 'unknown')!;
      const enabled = t.enabled === false ? 'false' : 'true';
      const key = `${type}\u0000${enabled}`;
      if (!this.combinations.has(key)) this.combinations.set(key, { type, enabled });
      counts.set(key, (counts.get(key) ?? 0) + 1);
      out.declareTarget(t.name, t.type);
    }
    for (const [key, { type, enabled }] of this.combinations) {
      out.observe('discovery_targets', counts.get(key) ?? 0, { type, enabled });
    }
    out.observe('discovery_last_success_timestamp_seconds', unixSeconds(stats.lastDiscovery));
  }
}
