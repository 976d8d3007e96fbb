import { diag, metrics, type MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import type {
  BatchObservableCallback,
  BatchObservableResult,
  Meter,
  Observable,
  ObservableCounter,
  ObservableGauge,
} from '@opentelemetry/api';
import type { HistogramStore } from '../series/histogram-store.js';
import type { NumberStore } from '../series/number-store.js';
import type { SeriesStore } from '../series/series-store.js';
import { SCOPE_NAME, SCOPE_VERSION } from '../version.js';
import { isNoopMeterProvider } from './meter-provider.js';

interface ObservedStore {
  readonly store: NumberStore;
  readonly instrument: ObservableCounter | ObservableGauge;
}

/** One batch observable callback and the instruments it observes, as registered on a meter. */
export interface InstrumentGroup {
  readonly callback: BatchObservableCallback;
  readonly observables: readonly Observable[];
}

/** The SDK's default cardinality limit per instrument and reader (`aggregationCardinalityLimit`). */
const SDK_DEFAULT_CARDINALITY_LIMIT = 2000;
const warnedCardinality = new WeakSet<object>();

function observeStore(observer: BatchObservableResult, { store, instrument }: ObservedStore): void {
  if (store.seriesCount >= SDK_DEFAULT_CARDINALITY_LIMIT && !warnedCardinality.has(store)) {
    warnedCardinality.add(store);
    diag.warn(
      `otel-publishing-metrics: ${store.instrument} has ${store.seriesCount} series; on the ` +
        `instrument path the SDK folds those past its cardinality limit (default ` +
        `${SDK_DEFAULT_CARDINALITY_LIMIT} per instrument) into otel.metric.overflow. Raise it with a ` +
        'View (aggregationCardinalityLimit), lower maxTargets, or use the producer path.',
    );
  }
  const values = store.values;
  store.forEachSeries((slot, attributes) => {
    observer.observe(instrument, values[slot] as number, attributes);
  });
}

/**
 * The instrument path: the library's series as instruments on a host's Meter, so every reader
 * of that MeterProvider (including ones NodeSDK built from the environment) exports them.
 * Counters and gauges are observable instruments whose one batch callback per group reads the
 * stores at collection time; recorder histograms are sync OTel histograms fed by the stores'
 * `mirror` (OTel has no observable histogram), with the catalog's buckets as advice. Each group
 * is registered and removed symmetrically (`addBatchObservableCallback` /
 * `removeBatchObservableCallback`), like the contrib instrumentations.
 */
export class InstrumentPath {
  private readonly groups = new Map<string, InstrumentGroup>();

  constructor(readonly meter: Meter) {}

  /**
   * Registers the group `name`: instruments for `stores`, and one batch callback that awaits
   * `ready()` (the collector run this collection shares) and then observes `current()` — the
   * stores whose values are fresh now (none after a failed run).
   */
  register(
    name: string,
    stores: readonly SeriesStore[],
    ready: () => Promise<unknown>,
    current: () => readonly SeriesStore[] = () => stores,
  ): void {
    if (this.groups.has(name)) throw new Error(`instrument group '${name}' is already registered`);
    const observed = new Map<SeriesStore, ObservedStore>();
    for (const store of stores) {
      if (store.kind === 'histogram') {
        this.mirror(store as HistogramStore);
        continue;
      }
      const options = { description: store.definition.description, unit: store.definition.unit };
      const instrument =
        store.kind === 'counter'
          ? this.meter.createObservableCounter(store.instrument, options)
          : this.meter.createObservableGauge(store.instrument, options);
      observed.set(store, { store: store as NumberStore, instrument });
    }
    const callback: BatchObservableCallback = async (observer) => {
      await ready();
      for (const store of current()) {
        const entry = observed.get(store);
        if (entry !== undefined) observeStore(observer, entry);
      }
    };
    const observables = [...observed.values()].map((o) => o.instrument);
    this.meter.addBatchObservableCallback(callback, observables);
    this.groups.set(name, { callback, observables });
  }

  /** Removes group `name`'s callback; its sync histograms stop receiving values. */
  unregister(name: string, stores: readonly SeriesStore[] = []): void {
    const group = this.groups.get(name);
    if (group === undefined) return;
    this.groups.delete(name);
    this.meter.removeBatchObservableCallback(group.callback, [...group.observables]);
    for (const store of stores) {
      if (store.kind === 'histogram') (store as HistogramStore).mirror = undefined;
    }
  }

  /** Removes every group. */
  unregisterAll(): void {
    for (const name of [...this.groups.keys()]) this.unregister(name);
  }

  private mirror(store: HistogramStore): void {
    const histogram = this.meter.createHistogram(store.instrument, {
      description: store.definition.description,
      unit: store.definition.unit,
      advice: { explicitBucketBoundaries: [...store.boundaries] },
    });
    store.mirror = (value, attributes) => histogram.record(value, attributes);
  }
}

/**
 * The instrument path on `provider` (the global MeterProvider when undefined), or undefined for
 * `false` (the producer path). Warns when the provider is the API's no-op one: no reader would
 * export anything.
 */
export function bindInstrumentPath(
  provider: ApiMeterProvider | false | undefined,
): InstrumentPath | undefined {
  if (provider === false) return undefined;
  const chosen = provider ?? metrics.getMeterProvider();
  if (typeof chosen?.getMeter !== 'function') {
    throw new TypeError('meterProvider must be an OpenTelemetry MeterProvider or false');
  }
  if (isNoopMeterProvider(chosen)) {
    diag.warn(
      'otel-publishing-metrics: no MeterProvider is registered globally, so no reader will ' +
        'export the publishing metrics. Start the NodeSDK (or call ' +
        'metrics.setGlobalMeterProvider) before creating PublishingMetricsCollector, pass ' +
        'meterProvider, or use startPublishingTelemetry().',
    );
  }
  return new InstrumentPath(chosen.getMeter(SCOPE_NAME, SCOPE_VERSION));
}
