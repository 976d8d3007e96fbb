/**
 * What the OTel SDK (sdk-metrics 2.x) keeps per attribute set of an asynchronous instrument. It
 * never forgets one: `DeltaMetricProcessor` memoises the last cumulative value of every attribute
 * set ever observed, and `TemporalMetricProcessor` the last report of each per reader. This reads
 * those private maps to count the entries, so the suite can state what the SDK retains after
 * targets leave; undefined when the SDK's internals have a different shape.
 */
import type { MeterProvider } from '@opentelemetry/sdk-metrics';

interface SizedMap {
  readonly size: number;
}

interface StorageInternals {
  _deltaMetricStorage?: { _cumulativeMemoStorage?: SizedMap };
  _temporalMetricStorage?: { _reportHistory?: Map<unknown, { accumulations?: SizedMap }> };
}

interface RegistryInternals {
  _sharedRegistry?: Map<string, StorageInternals[]>;
  _perCollectorRegistry?: Map<unknown, Map<string, StorageInternals[]>>;
}

export interface SdkRetained {
  /** Attribute sets memoised by asynchronous instruments (one per reader each). */
  memoised: number;
  /** Attribute sets in the last report kept per reader. */
  reported: number;
}

export function sdkRetained(provider: MeterProvider): SdkRetained | undefined {
  const shared = (
    provider as unknown as {
      _sharedState?: { meterSharedStates?: Map<string, { metricStorageRegistry?: unknown }> };
    }
  )._sharedState;
  if (shared?.meterSharedStates === undefined) return undefined;
  const out: SdkRetained = { memoised: 0, reported: 0 };
  let seen = false;
  for (const meter of shared.meterSharedStates.values()) {
    const registry = meter.metricStorageRegistry as RegistryInternals | undefined;
    if (registry?._sharedRegistry === undefined || registry._perCollectorRegistry === undefined) {
      return undefined;
    }
    const storages = [...registry._sharedRegistry.values()].flat();
    for (const perReader of registry._perCollectorRegistry.values()) {
      storages.push(...[...perReader.values()].flat());
    }
    for (const storage of storages) {
      const memo = storage._deltaMetricStorage?._cumulativeMemoStorage;
      if (memo === undefined) continue;
      seen = true;
      out.memoised += memo.size;
      for (const report of storage._temporalMetricStorage?._reportHistory?.values() ?? []) {
        out.reported += report.accumulations?.size ?? 0;
      }
    }
  }
  return seen ? out : undefined;
}
