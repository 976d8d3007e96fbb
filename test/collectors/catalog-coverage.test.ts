import { describe, expect, it } from 'vitest';
import {
  CATALOG,
  DiscoveryCollector,
  HealthCollector,
  PublishingMetricsCollector,
  QueueCollector,
  RefreshCollector,
  prometheusName,
} from '../../src/index.js';
import { refreshStatus, targetHealth } from '../support/fakes.js';
import { FakeDiscovery, prometheusReader, queueStats, target } from './fakes.js';

/** Every collector registered over fake ports, and one event of each recorder family. */
function fullyWired() {
  const pm = new PublishingMetricsCollector({ meterProvider: false });
  const prometheus = prometheusReader(pm);
  pm.registerCollector(new HealthCollector({ getHealth: () => [targetHealth('hook')] }));
  pm.registerCollector(new RefreshCollector({ getStatus: () => refreshStatus() }));
  pm.registerCollector(new DiscoveryCollector(new FakeDiscovery([target('hook', 'webhook')])));
  pm.registerCollector(new QueueCollector({ getStats: () => queueStats() }));
  pm.refresh.recordRefresh('success', 1.2);
  pm.discovery.recordDiscovery('load', 0.01);
  pm.discovery.recordError('parse');
  pm.discovery.recordSecret('found');
  pm.discovery.recordLookup('get', 'found');
  pm.publisher.recordWebhookAuthFailure('hook', 'bearer');
  return { pm, prometheus };
}

describe('metric catalog coverage', () => {
  it('every catalog metric is produced by a collector or recorder, in the snapshot and on /metrics', async () => {
    const { pm, prometheus } = fullyWired();
    const snap = await pm.collectAll();
    const text = await prometheus.text();
    const missing: string[] = [];
    for (const def of CATALOG) {
      const name = prometheusName(def);
      const family = snap.family(name);
      if (family === undefined || family.series.length === 0) missing.push(`snapshot: ${name}`);
      else expect(family.type, name).toBe(def.kind);
      const exposed = def.kind === 'histogram' ? `${name}_count` : name;
      if (!new RegExp(`^${exposed}[{ ]`, 'm').test(text)) missing.push(`/metrics: ${name}`);
    }
    expect(missing).toEqual([]);
    for (const def of CATALOG) {
      for (const s of snap.family(prometheusName(def))!.series) {
        expect(Object.keys(s.labels).sort(), def.name).toEqual([...def.labels].sort());
      }
    }
    expect(Object.values(snap.collectors).every((c) => c.ok)).toBe(true);
    await pm.shutdown();
  });
});
