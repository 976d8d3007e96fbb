/**
 * Quickstart: the health and refresh collectors on in-memory subsystems, one `collectAll()`,
 * printed as a table. Run with `npm run quickstart`.
 */
import { HealthCollector, PublishingMetricsCollector, RefreshCollector } from '../../src/index.js';
import { healthMonitor, refreshManager } from '../in-memory-subsystems.js';

const collector = new PublishingMetricsCollector();
collector.registerCollector(new HealthCollector(healthMonitor));
collector.registerCollector(new RefreshCollector(refreshManager));
collector.refresh.recordRefresh('success', 0.85);

const snapshot = await collector.collectAll();

const rows = [...snapshot.metrics]
  .filter(([key]) => !key.includes('_bucket{'))
  .map(([series, value]) => ({ series, value }));
console.table(rows);
console.log('collectors:');
console.table(snapshot.collectors);
console.log(`collected in ${snapshot.durationMs.toFixed(2)} ms`);
await collector.shutdown();
