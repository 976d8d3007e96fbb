/**
 * Three readers (snapshot, Prometheus, OTLP) on one setup: recorder metrics come from one store
 * appended at collection time, port collectors run once per reader collection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPublishingTelemetry, type PublishingTelemetry } from '../../src/index.js';
import type { HealthMonitor } from '../../src/sources.js';
import { FakePipeline, scrape } from './fixtures.js';
import {
  attributesOf,
  metricsByName,
  startOtlpReceiver,
  type OtlpReceiver,
} from './otlp-receiver.js';

const NS = 'alert_history_publishing';

describe('readers of one setup', () => {
  let receiver: OtlpReceiver;
  let telemetry: PublishingTelemetry;
  let healthReads = 0;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const pipeline = new FakePipeline([{ name: 'slack-ops', type: 'slack' }]);
    const health: HealthMonitor = {
      getHealth: () => {
        healthReads++;
        return pipeline.health.getHealth();
      },
    };
    telemetry = await startPublishingTelemetry({
      sources: { health },
      prometheus: { mount: true },
      otlp: { endpoint: receiver.url, protocol: 'http/json', intervalMs: 60_000 },
      logger: false,
    });
  });

  afterAll(async () => {
    await telemetry?.shutdown();
    await receiver?.close();
  });

  it('each reader exports the same recorder counts, recorded once', async () => {
    for (let i = 0; i < 41; i++) {
      telemetry.collector.queue.recordJob('slack-ops', 'medium', 'failed', 0.5, 0.02);
    }
    const snapshot = await telemetry.collectAll();
    const body = await scrape(telemetry.prometheus!.handler);
    await telemetry.otlp!.reader.forceFlush();
    const otlp = metricsByName(receiver.requests.at(-1)!).get(`${NS}_jobs_processed`)!;

    expect(snapshot.get('jobs_processed_total', { target: 'slack-ops', state: 'failed' })).toBe(41);
    expect(body).toContain(`${NS}_jobs_processed_total{target="slack-ops",state="failed"} 41\n`);
    const point = otlp.sum!.dataPoints.find((p) => attributesOf(p)['state'] === 'failed');
    expect(point?.asDouble).toBe(41);
  });

  it('port collectors run once per reader collection (callbacks are per reader)', async () => {
    const before = healthReads;
    await telemetry.collectAll();
    expect(healthReads - before).toBe(1);
    await scrape(telemetry.prometheus!.handler);
    expect(healthReads - before).toBe(2);
    await telemetry.otlp!.reader.forceFlush();
    expect(healthReads - before).toBe(3);
  });
});
