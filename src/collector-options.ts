import type { MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import { DEFAULT_NAMESPACE } from './catalog.js';
import { integerIn, knownKeys, plainObject, positiveNumber } from './options.js';
import { DEFAULT_RETIRED_TARGET_GRACE_MS } from './series/retired-targets.js';
import { DEFAULT_MAX_TARGETS } from './series/target-guard.js';
import type { TargetLabelMode } from './catalog.js';
import { checkSources, type TelemetrySources } from './setup-sources.js';

export const DEFAULT_COLLECTOR_TIMEOUT_MS = 1000;

export interface PublishingMetricsCollectorOptions {
  /**
   * The instrument path: the MeterProvider whose readers export the library's metrics as OTel
   * instruments. Omitted: the global one (`metrics.getMeterProvider()`, e.g. the one NodeSDK
   * registered). `false`: no instruments; hand `collector.producer` to your readers'
   * `metricProducers` instead (the producer path).
   */
  meterProvider?: ApiMeterProvider | false;
  /** The host's subsystem ports; a collector is registered for each one given. */
  sources?: TelemetrySources;
  /** Metric-name prefix; default `alert_history_publishing`. */
  namespace?: string;
  /** Per-collector timeout, milliseconds (default 1000). */
  collectorTimeoutMs?: number;
  /** Distinct `target` label values before folding into `__overflow__` (default 500). */
  maxTargets?: number;
  /**
   * `target` (default): per-target series carry the target name. `type`: the `target` label is
   * removed and series are keyed by the target's type (from health checks, discovery or the
   * publisher name); metrics that carry `type` or `publisher` already just lose `target`. The
   * exact labels per metric are the catalog's (`labelsFor`, `typeModeLabels`).
   */
  targetLabel?: TargetLabelMode;
  /**
   * How long a target that left the pipeline keeps its recorder counters and histograms,
   * unexported, so that they continue where they were if it returns (default 15 minutes; 0:
   * forget at once). At most `maxTargets` targets are kept, the oldest forgotten first.
   */
  retiredTargetGraceMs?: number;
}

const OPTION_KEYS = [
  'meterProvider',
  'sources',
  'namespace',
  'collectorTimeoutMs',
  'maxTargets',
  'targetLabel',
  'retiredTargetGraceMs',
] as const;

/** The options with their defaults, checked. */
export interface CollectorSettings {
  readonly namespace: string;
  readonly collectorTimeoutMs: number;
  readonly maxTargets: number;
  readonly targetLabel: TargetLabelMode;
  readonly retiredTargetGraceMs: number;
  readonly sources: TelemetrySources;
}

/** Checks the options (throwing on an unknown key or a bad value) and applies the defaults. */
export function collectorSettings(options: PublishingMetricsCollectorOptions): CollectorSettings {
  knownKeys('PublishingMetricsCollector options', plainObject('options', options), OPTION_KEYS);
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  if (typeof namespace !== 'string' || !/^([a-zA-Z_][a-zA-Z0-9_]*)?$/.test(namespace)) {
    throw new Error(`namespace '${namespace}' is not a valid Prometheus metric-name prefix`);
  }
  const collectorTimeoutMs = positiveNumber(
    'collectorTimeoutMs',
    options.collectorTimeoutMs ?? DEFAULT_COLLECTOR_TIMEOUT_MS,
  );
  const maxTargets = integerIn(
    'maxTargets',
    options.maxTargets ?? DEFAULT_MAX_TARGETS,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const targetLabel = options.targetLabel ?? 'target';
  if (targetLabel !== 'target' && targetLabel !== 'type') {
    throw new TypeError(`targetLabel must be 'target' or 'type', got ${String(targetLabel)}`);
  }
  return {
    namespace,
    collectorTimeoutMs,
    maxTargets,
    targetLabel,
    retiredTargetGraceMs: options.retiredTargetGraceMs ?? DEFAULT_RETIRED_TARGET_GRACE_MS,
    sources: checkSources(options.sources),
  };
}
