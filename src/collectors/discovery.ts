import { OpenLabel } from '../series/open-label.js';
import { usableLabelValue } from '../series/label-value.js';
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
  /** The series' labels, built once. */
  readonly attributes: { readonly type: string; readonly enabled: 'true' | 'false' };
  /** Targets of the pair in the current run. */
  count: number;
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
  private readonly combinations: Combination[] = [];
  /**
   * The same pairs by type, then enabled: found per target without building a key string (one
   * per target per collection before).
   */
  private readonly byType = new Map<string, { true?: Combination; false?: Combination }>();

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
    for (const c of this.combinations) c.count = 0;
    for (const t of targets) {
      if (!usableLabelValue(t?.name)) {
        out.invalid('listTargets()[].name');
        continue;
      }
      // An unusable type (empty, over-long) counts as `unknown`, as a missing one does.
      const type = this.types.get(usableLabelValue(t.type) ? t.type : 'unknown')!;
      const enabled = t.enabled === false ? 'false' : 'true';
      let pairs = this.byType.get(type);
      if (pairs === undefined) this.byType.set(type, (pairs = {}));
      let pair = pairs[enabled];
      if (pair === undefined) {
        pair = { attributes: Object.freeze({ type, enabled }), count: 0 };
        pairs[enabled] = pair;
        this.combinations.push(pair);
      }
      pair.count++;
      out.declareTarget(t.name, t.type);
    }
    for (const { attributes, count } of this.combinations) {
      out.observe('discovery_targets', count, attributes);
    }
    out.observe('discovery_last_success_timestamp_seconds', unixSeconds(stats.lastDiscovery));
  }
}
