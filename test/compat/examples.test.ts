import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/backends.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an example with the same Node as the tests (Node 22 in the compatibility run), via tsx. */
function runExample(path: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, path)],
      {
        cwd: REPO_ROOT,
        timeout: 60_000,
        // No OTLP trace/log exporter trying to reach a collector that is not there.
        env: { ...process.env, OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('drop-in examples', () => {
  it('NodeSDK with a reader built with our MetricProducer exports the collector and recorder values', async () => {
    const run = await runExample('examples/nodesdk/main.ts');

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toEqual([
      'target_health_status{target="slack-oncall",type="slack"} 1',
      'target_health_status{target="pagerduty-primary",type="pagerduty"} 2',
      'target_success_rate{target="pagerduty-primary"} 0.9',
      'targets_by_health{status="degraded"} 1',
      'refresh_interval_seconds 300',
      'refresh_total{status="success"} 1',
      'collector_up{collector="health"} 1',
      'collector_up{collector="refresh"} 1',
    ]);
  });

  it("a host's own MeterProvider serves collector and recorder metrics on /metrics", async () => {
    const run = await runExample('examples/existing-provider/main.ts');

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [status, health, refresh, host] = run.stdout.trim().split('\n');
    expect(status).toMatch(/^GET \/metrics -> 200, \d+ bytes$/);
    // 3 = unhealthy in the catalog's health-status encoding.
    expect(health).toMatch(
      /^alert_history_publishing_target_health_status\{target="webhook-audit",type="webhook",.*\} 3$/,
    );
    // A recorder counter, through the library's MetricProducer.
    expect(refresh).toMatch(/^alert_history_publishing_refresh_total\{status="failed",.*\} 1$/);
    // The host's own instrument on the same exporter.
    expect(host).toMatch(/^host_requests_total\{otel_scope_name="host"\} 1$/);
  });
});
