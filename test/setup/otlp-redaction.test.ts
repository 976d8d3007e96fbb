/**
 * Credentials in an OTLP endpoint URL (user:password@, an API key in the query) never reach the
 * failure log lines: people who read logs must not learn the endpoint's secrets.
 */
import { describe, expect, it } from 'vitest';
import { startPublishingTelemetry } from '../../src/index.js';
import { redactUrl } from '../../src/export/redact-url.js';
import { startOtlpReceiver } from './otlp-receiver.js';

describe('OTLP failure logs', () => {
  it('show the endpoint without its password, user name or query values', async () => {
    const receiver = await startOtlpReceiver({ status: 400 });
    const lines: string[] = [];
    try {
      const endpoint = `http://oncall:s3cr3t-pass@127.0.0.1:${receiver.port}/v1/metrics?api-key=k3y-value`;
      const telemetry = await startPublishingTelemetry({
        prometheus: false,
        otlp: { endpoint, protocol: 'http/json', intervalMs: 600_000, timeoutMs: 1000 },
        logger: { warn: (m) => lines.push(m) },
      });
      await telemetry.otlp!.reader.forceFlush();
      await telemetry.shutdown();
      // The endpoint answered 400: one failure line per export.
      expect(lines.length).toBe(2);
      expect(lines[0]).toContain('failed (1 in a row): Bad Request');
      for (const line of lines) {
        expect(line).not.toContain('s3cr3t-pass');
        expect(line).not.toContain('k3y-value');
        expect(line).not.toContain('oncall');
      }
      expect(lines[0]).toContain(
        `http://***:***@127.0.0.1:${receiver.port}/v1/metrics?api-key=***`,
      );
    } finally {
      await receiver.close();
    }
  });

  it('leave a URL without credentials as it is', () => {
    expect(redactUrl('https://collector.example:4318/v1/metrics')).toBe(
      'https://collector.example:4318/v1/metrics',
    );
    expect(redactUrl('not a url')).toBe('***');
  });
});
