import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { prometheusExporterFor } from '../support/producer-readers.js';
import type {
  PublishingMetricsCollector,
  DiscoveryStats,
  PublishingTarget,
  QueueStats,
  TargetDiscoveryManager,
} from '../../src/index.js';

/** Queue stats with two targets' DLQ and breakers, with overrides. */
export function queueStats(overrides: Partial<QueueStats> = {}): QueueStats {
  return {
    priorities: {
      high: { size: 3, capacity: 100 },
      medium: { size: 50, capacity: 200 },
      low: { size: 0, capacity: 0 },
    },
    workersActive: 4,
    workersIdle: 6,
    dlqSize: { 'slack-ops': 2, 'webhook-audit': 5 },
    dlqOldestEntryAgeSeconds: 42,
    circuitBreakers: { 'slack-ops': 'closed', 'webhook-audit': 'open' },
    ...overrides,
  };
}

export function target(
  name: string,
  type: string,
  enabled = true,
  url = `https://${name}.example`,
): PublishingTarget {
  return { name, type, url, enabled };
}

/** A discovery manager whose target list the test changes between collections. */
export class FakeDiscovery implements TargetDiscoveryManager {
  constructor(
    public targets: PublishingTarget[],
    public stats: Partial<DiscoveryStats> = {},
  ) {}

  listTargets(): PublishingTarget[] {
    return this.targets;
  }

  getStats(): DiscoveryStats {
    return {
      totalTargets: this.targets.length,
      validTargets: this.targets.length,
      invalidTargets: 0,
      lastDiscovery: new Date('2026-01-02T03:04:05Z'),
      discoveryErrors: 0,
      ...this.stats,
    };
  }
}

/**
 * A Prometheus exporter that never listens, reading `collector` through the producer path, and
 * how to read what it would serve.
 */
export function prometheusReader(collector: PublishingMetricsCollector): {
  exporter: PrometheusExporter;
  text(): Promise<string>;
} {
  const exporter = prometheusExporterFor(collector);
  const serializer = new PrometheusSerializer();
  return {
    exporter,
    async text() {
      const { resourceMetrics, errors } = await exporter.collect();
      if (errors.length > 0) throw new AggregateError(errors, 'collection errors');
      return serializer.serialize(resourceMetrics);
    },
  };
}

/** The value of the exposition line `name{labels...}` (labels matched as given, in order). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const matching = text.split('\n').filter((line) => {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) return false;
    return Object.entries(labels).every(([k, v]) => {
      const i = line.indexOf(`${k}="${v}"`);
      return (
        i > 0 &&
        (line[i - 1] === '{' || line[i - 1] === ',') &&
        /[,}]/.test(line[i + k.length + v.length + 3] ?? '')
      );
    });
  });
  if (matching.length !== 1) {
    throw new Error(
      `expected one sample of ${name} ${JSON.stringify(labels)}, found ${matching.length}`,
    );
  }
  return Number(matching[0]!.slice(matching[0]!.lastIndexOf(' ') + 1));
}
