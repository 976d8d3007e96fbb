import { describe, expect, it } from 'vitest';
import { HealthCollector, PublishingMetricsCollector, StatsAggregator } from '../../src/index.js';
import { MAX_LABEL_VALUE_LENGTH } from '../../src/series/label-value.js';
import { RECORDER_NAMES, REJECT_REASONS } from '../../src/recorders/rejections.js';
import { targetHealth } from '../support/fakes.js';
import { prometheusReader, sample } from './fakes.js';

const NS = 'alert_history_publishing';

/** Calls with one bad argument each, and the (recorder, reason) each must be counted under. */
function recordBadCalls(pm: PublishingMetricsCollector): void {
  const long = 'x'.repeat(MAX_LABEL_VALUE_LENGTH + 1);
  // queue: the job is counted, its bad duration dropped.
  pm.queue.recordJob('hook', 'high', 'succeeded', Number.NaN, 0);
  pm.queue.recordJob('hook', 'high', 'succeeded', -1, 0);
  pm.queue.recordJob('hook', 'high', 'succeeded', 1e308, 0);
  pm.queue.recordJob('hook', 'high', 'succeeded', Infinity, 0);
  pm.queue.recordJob('', 'high', 'succeeded', 0.1, 0);
  pm.queue.recordJob(long, 'high', 'succeeded', 0.1, 0);
  pm.queue.recordJob('hook', 'urgent' as 'high', 'succeeded', 0.1, 0);
  pm.queue.recordSubmission('high', 'maybe' as 'accepted');
  pm.queue.recordRetry(undefined as unknown as string, 'transient');
  // publisher
  pm.publisher.recordRequest('', 'hook', 200, 0.1);
  pm.publisher.recordRequest('webhook', 'hook', 42, 0.1);
  pm.publisher.recordRequest('webhook', long, 200, 0.1);
  pm.publisher.recordWebhookPayload('hook', 2 ** 31);
  pm.publisher.setSlackCacheSize(-3);
  // refresh and discovery
  pm.refresh.recordRefresh('toString' as 'success', 1);
  pm.discovery.recordLookup('get', '');
  pm.discovery.recordDiscovery('load', '12' as unknown as number);
}

const EXPECTED: Record<string, Record<string, number>> = {
  queue: { nan: 1, negative: 1, too_large: 2, empty_target: 2, too_long: 1, unknown_value: 2 },
  publisher: { empty_label: 1, unknown_value: 1, too_long: 1, too_large: 1, negative: 1 },
  refresh: { unknown_value: 1 },
  discovery: { empty_label: 1, nan: 1 },
};

describe('what the library drops is counted in self-monitoring series', () => {
  it('recorder_rejected_total counts each dropped call by recorder and reason, everywhere', async () => {
    const pm = new PublishingMetricsCollector({ meterProvider: false });
    const prometheus = prometheusReader(pm);
    recordBadCalls(pm);
    const snap = await pm.collectAll();
    const text = await prometheus.text();
    for (const recorder of RECORDER_NAMES) {
      for (const reason of REJECT_REASONS) {
        const want = EXPECTED[recorder]?.[reason] ?? 0;
        const labels = { recorder, reason };
        expect(snap.get('recorder_rejected_total', labels), `${recorder} ${reason}`).toBe(want);
        expect(sample(text, `${NS}_recorder_rejected_total`, labels)).toBe(want);
      }
    }
    // The legacy per-recorder property agrees.
    expect(pm.queue.rejectedValues).toBe(9);

    const stats = new StatsAggregator().compute(snap);
    expect(stats.system.dropped.recorderCalls).toEqual({ total: 17, byRecorder: EXPECTED });
    await pm.shutdown();
  });

  it('a duration of 1e308 is rejected, so the histogram _sum stays finite', async () => {
    const pm = new PublishingMetricsCollector({ meterProvider: false });
    const prometheus = prometheusReader(pm);
    pm.queue.recordJob('hook', 'high', 'succeeded', 1e308, 0);
    pm.queue.recordJob('hook', 'high', 'succeeded', 1e308, 0);
    pm.queue.recordJob('hook', 'high', 'succeeded', 0.5, 0);
    const h = (await pm.collectAll()).histogram('job_duration_seconds', {
      target: 'hook',
      priority: 'high',
    })!;
    expect({ count: h.count, sum: h.sum }).toEqual({ count: 1, sum: 0.5 });
    const text = await prometheus.text();
    expect(
      sample(text, `${NS}_job_duration_seconds_sum`, { target: 'hook', priority: 'high' }),
    ).toBe(0.5);
    await pm.shutdown();
  });

  it('collection_invalid_values_total counts port values dropped as invalid, by collector', async () => {
    const pm = new PublishingMetricsCollector({ meterProvider: false });
    const prometheus = prometheusReader(pm);
    pm.registerCollector(
      new HealthCollector({
        getHealth: () => [
          targetHealth('ok'),
          targetHealth('', {}),
          targetHealth('bad-rate', { successRate: 7 }),
        ],
      }),
    );
    await pm.collectAll();
    const snap = await pm.collectAll();
    expect(snap.get('collection_invalid_values_total', { collector: 'health' })).toBe(4);
    expect(
      sample(await prometheus.text(), `${NS}_collection_invalid_values_total`, {
        collector: 'health',
      }),
    ).toBe(6);
    expect(new StatsAggregator().compute(snap).system.dropped.portValues).toEqual({
      total: 4,
      byCollector: { health: 4 },
    });
    await pm.shutdown();
  });
});
