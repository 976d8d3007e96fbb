/**
 * A real Prometheus scraping the test workload every second and evaluating the publishing rules:
 * one per live test file, polled rather than slept on.
 */
import {
  promQuery,
  requireBackend,
  startPrometheus,
  waitForQuery,
  type PromSample,
  type RunningBackend,
} from '../support/backends.js';
import { startWorkload, type Workload } from '../support/workload.js';
import { ALERT_RULES_FILE, RECORDING_RULES_FILE } from './names.js';

export interface LiveStack {
  readonly url: string;
  /**
   * Runs `query` until it returns at least one sample with a finite value (a panel of NaN from
   * `histogram_quantile` over idle buckets shows nothing), or times out; returns the samples.
   */
  nonEmpty(query: string, timeoutMs?: number): Promise<PromSample[]>;
  query(query: string): Promise<PromSample[]>;
  stop(): Promise<void>;
}

/** True when Prometheus is provisioned (under CI=true a missing one throws instead). */
export function hasPrometheus(): boolean {
  return requireBackend('prometheus') !== undefined;
}

/**
 * Starts the workload and Prometheus (scrape and rule evaluation every 1 s, job `alert-publisher`
 * as in collector-config/prometheus.yml) and resolves once every replica was scraped three times,
 * so `rate()` has samples to work with.
 */
export async function startLiveStack(
  start: () => Promise<Workload> = startWorkload,
): Promise<LiveStack> {
  const workload: Workload = await start();
  let prometheus: RunningBackend | undefined;
  try {
    prometheus = await startPrometheus({
      scrapeTargets: [...workload.scrapeTargets],
      scrapeIntervalSeconds: 1,
      ruleFiles: [RECORDING_RULES_FILE, ALERT_RULES_FILE],
      jobName: 'alert-publisher',
    });
    const url = prometheus.url;
    const replicas = workload.scrapeTargets.length;
    await waitForQuery(
      url,
      'count(count_over_time(up{job="alert-publisher"}[1m]) >= 3)',
      (r) => Number(r[0]?.value[1]) === replicas,
      30_000,
    );
    const running = prometheus;
    return {
      url,
      query: (q) => promQuery(url, q),
      nonEmpty: (q, timeoutMs = 10_000) =>
        waitForQuery(url, q, (r) => r.some((s) => Number.isFinite(Number(s.value[1]))), timeoutMs),
      stop: async () => {
        await running.stop();
        await workload.stop();
      },
    };
  } catch (error) {
    await prometheus?.stop();
    await workload.stop();
    throw error;
  }
}

/** Dashboard variables and Grafana macros replaced as Grafana would for "All" and a 1 m step. */
export function expandGrafanaQuery(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '15s')
    .replaceAll('$__range', '1h')
    .replace(/\$\{?(target|type|instance)\}?/g, '.*');
}
