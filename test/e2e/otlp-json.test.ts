/**
 * OTLP/JSON push (exporter-metrics-otlp-http) into a receiver the test runs: no backend in the
 * test set accepts OTLP/JSON (VictoriaMetrics answers 400), so the payload is decoded here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CATALOG,
  DELIVERY_BUCKETS,
  instrumentName,
  startPublishingTelemetry,
  type PublishingTelemetry,
} from '../../src/index.js';
import { FakePipeline, fillRecorders } from '../setup/fixtures.js';
import {
  attributesOf,
  decodeJson,
  metricsByName,
  startOtlpReceiver,
  type JsonMetric,
  type OtlpReceiver,
  type ReceivedRequest,
} from '../setup/otlp-receiver.js';

const NS = 'alert_history_publishing';
const JOB_SECONDS = [0.02, 0.02, 0.3, 0.3, 0.3, 1.2, 8, 45, 90];

/** OTLP's AggregationTemporality enum: 2 is CUMULATIVE. */
const CUMULATIVE = 2;

function pointsOf(metric: JsonMetric) {
  return metric.gauge?.dataPoints ?? metric.sum?.dataPoints ?? metric.histogram?.dataPoints ?? [];
}

function targetsIn(request: ReceivedRequest): Set<string> {
  const targets = new Set<string>();
  for (const metric of metricsByName(request).values()) {
    for (const point of pointsOf(metric)) {
      const target = attributesOf(point)['target'];
      if (target !== undefined) targets.add(target);
    }
  }
  return targets;
}

describe('OTLP http/json push', () => {
  let receiver: OtlpReceiver;
  let telemetry: PublishingTelemetry;
  const pipeline = new FakePipeline([
    { name: 'slack-ops', type: 'slack' },
    { name: 'webhook-legacy', type: 'webhook' },
  ]);

  /** Exports now and returns the request the receiver got. */
  async function exportNow(): Promise<ReceivedRequest> {
    const before = receiver.requests.length;
    await telemetry.otlp!.reader.forceFlush();
    expect(receiver.requests.length).toBe(before + 1);
    return receiver.requests[receiver.requests.length - 1]!;
  }

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    telemetry = await startPublishingTelemetry({
      sources: pipeline.sources,
      serviceName: 'json-e2e',
      prometheus: false,
      otlp: { endpoint: receiver.url, protocol: 'http/json', intervalMs: 60_000 },
      logger: false,
    });
    for (const s of JOB_SECONDS) {
      telemetry.collector.queue.recordJob('slack-ops', 'high', 'succeeded', s, 0.01);
    }
    telemetry.collector.queue.recordJob('webhook-legacy', 'low', 'failed', 2, 0.5);
    // Metrics with open label sets (error types, auth types) exist once something is recorded.
    fillRecorders(telemetry.collector, 'slack-ops');
  });

  afterAll(async () => {
    await telemetry?.shutdown();
    await receiver?.close();
  });

  it('sends JSON to the configured URL with every catalog metric under its instrument name', async () => {
    const request = await exportNow();
    expect(request.path).toBe('/v1/metrics');
    expect(request.contentType).toBe('application/json');
    const payload = decodeJson(request);
    const service = payload.resourceMetrics[0]!.resource!.attributes!.find(
      (a) => a.key === 'service.name',
    );
    expect(service?.value.stringValue).toBe('json-e2e');
    const names = metricsByName(request);
    const missing = CATALOG.map((d) => instrumentName(d)).filter((n) => !names.has(n));
    expect(missing).toEqual([]);
  });

  it('carries counters as cumulative monotonic sums with the recorded value', async () => {
    const metric = metricsByName(await exportNow()).get(`${NS}_jobs_processed`)!;
    expect(metric.sum).toMatchObject({ isMonotonic: true, aggregationTemporality: CUMULATIVE });
    const point = metric.sum!.dataPoints.find((p) => {
      const a = attributesOf(p);
      return a['target'] === 'slack-ops' && a['state'] === 'succeeded';
    })!;
    expect(point.asDouble).toBe(JOB_SECONDS.length);
  });

  it('carries histograms with the catalog buckets and the recorded counts', async () => {
    const metric = metricsByName(await exportNow()).get(`${NS}_job_duration_seconds`)!;
    expect(metric.unit).toBe('s');
    const point = metric.histogram!.dataPoints.find((p) => {
      const a = attributesOf(p);
      return a['target'] === 'slack-ops' && a['priority'] === 'high';
    })!;
    expect(point.explicitBounds).toEqual(DELIVERY_BUCKETS);
    const expected = new Array<number>(DELIVERY_BUCKETS.length + 1).fill(0);
    for (const s of JOB_SECONDS) {
      const i = DELIVERY_BUCKETS.findIndex((b) => s <= b);
      expected[i === -1 ? DELIVERY_BUCKETS.length : i]! += 1;
    }
    expect(point.bucketCounts.map(Number)).toEqual(expected);
    expect(Number(point.count)).toBe(JOB_SECONDS.length);
    expect(point.sum).toBeCloseTo(
      JOB_SECONDS.reduce((a, b) => a + b, 0),
      9,
    );
  });

  it('a removed target is absent from the next export, in port and recorder metrics alike', async () => {
    expect([...targetsIn(await exportNow())].sort()).toEqual(['slack-ops', 'webhook-legacy']);
    pipeline.remove('webhook-legacy');
    const next = await exportNow();
    expect([...targetsIn(next)]).toEqual(['slack-ops']);
    // Still a full export: the remaining target's job counter is there.
    expect(metricsByName(next).get(`${NS}_jobs_processed`)?.sum?.dataPoints.length).toBeGreaterThan(
      0,
    );
  });
});
