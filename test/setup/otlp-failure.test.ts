/**
 * An OTLP endpoint that is down or hangs never affects the host: collection and /metrics keep
 * answering, nothing rejects unhandled, at most two payloads are held, one log line per failed
 * export, and pushing resumes on its own when the endpoint comes back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPublishingTelemetry, type PublishingTelemetry } from '../../src/index.js';
import { freePort } from '../support/backends.js';
import { FakePipeline, memoryLogger, scrape, until } from './fixtures.js';
import { metricsByName, startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.js';

const INTERVAL_MS = 200;
const TIMEOUT_MS = 150;

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

let telemetry: PublishingTelemetry | undefined;
let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  await telemetry?.shutdown();
  telemetry = undefined;
  receiver = undefined;
});

const sources = () => new FakePipeline([{ name: 'slack-ops', type: 'slack' }]).sources;

describe('OTLP endpoint failures', () => {
  it('a refused endpoint is logged once per export and pushing recovers when it listens again', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/v1/metrics`;
    const logger = memoryLogger();
    const started = Date.now();
    telemetry = await startPublishingTelemetry({
      sources: sources(),
      prometheus: false,
      otlp: {
        endpoint: url,
        protocol: 'http/json',
        intervalMs: INTERVAL_MS,
        timeoutMs: TIMEOUT_MS,
      },
      logger,
    });
    await until('three failed exports', () => (logger.warns.length >= 3 ? true : undefined));
    const elapsed = Date.now() - started;
    // One line per export, numbered, and never more lines than intervals elapsed.
    expect(logger.warns.slice(0, 3).map((w) => /\((\d+) in a row\)/.exec(w)?.[1])).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(logger.warns.length).toBeLessThanOrEqual(Math.ceil(elapsed / INTERVAL_MS) + 1);
    expect(logger.warns[0]).toContain(`OTLP metrics export to ${url} failed`);
    expect(telemetry.otlp!.failures).toBeGreaterThanOrEqual(3);
    expect((await telemetry.collectAll()).get('collector_up', { collector: 'health' })).toBe(1);

    receiver = await startOtlpReceiver('accept', port);
    const request = await until('an export after recovery', () => receiver!.requests[0]);
    expect(metricsByName(request).has('alert_history_publishing_target_health_status')).toBe(true);
    await until('the recovery line', () => (logger.infos.length > 0 ? true : undefined));
    expect(logger.infos).toHaveLength(1);
    expect(logger.infos[0]).toMatch(/recovered after \d+ failed export\(s\)/);
    expect(telemetry.otlp!.failures).toBe(0);
    expect(unhandled).toEqual([]);
  });

  it('a hanging endpoint holds at most two requests and recovers when it answers again', async () => {
    receiver = await startOtlpReceiver('hang');
    const logger = memoryLogger();
    telemetry = await startPublishingTelemetry({
      sources: sources(),
      prometheus: false,
      otlp: {
        endpoint: receiver.url,
        protocol: 'http/json',
        intervalMs: INTERVAL_MS,
        timeoutMs: TIMEOUT_MS,
      },
      logger,
    });
    await until('three timed-out exports', () => (logger.warns.length >= 3 ? true : undefined));
    expect(logger.warns[0]).toMatch(/failed \(1 in a row\): Request timed out/);
    expect(receiver.maxOpen).toBeGreaterThanOrEqual(1);
    expect(receiver.maxOpen).toBeLessThanOrEqual(2);

    receiver.mode = 'accept';
    await until('an export after the endpoint answers again', () => receiver!.requests[0]);
    await until('the recovery line', () => (logger.infos.length > 0 ? true : undefined));
    expect(unhandled).toEqual([]);
  });

  it('collection and /metrics complete while an export hangs, and shutdown gives up after the timeout', async () => {
    receiver = await startOtlpReceiver('hang');
    const timeoutMs = 1_000;
    telemetry = await startPublishingTelemetry({
      sources: sources(),
      prometheus: { mount: true },
      otlp: { endpoint: receiver.url, protocol: 'http/json', intervalMs: 60_000, timeoutMs },
      logger: false,
    });
    const hanging = telemetry.otlp!.reader.forceFlush();
    await until('the export to hang', () => (receiver!.open === 1 ? true : undefined));
    const snapshot = await telemetry.collectAll();
    const body = await scrape(telemetry.prometheus!.handler);
    // The export is still hanging: neither waited for it.
    expect(receiver.open).toBe(1);
    expect(snapshot.get('target_health_status', { target: 'slack-ops', type: 'slack' })).toBe(1);
    expect(body).toContain('alert_history_publishing_target_health_status{target="slack-ops"');

    const closing = performance.now();
    await telemetry.shutdown();
    telemetry = undefined;
    // shutdown() waits for the hanging export and its own final one, each bounded by the timeout.
    expect(performance.now() - closing).toBeLessThan(2 * timeoutMs + 1_000);
    await hanging;
    expect(unhandled).toEqual([]);
  });
});
