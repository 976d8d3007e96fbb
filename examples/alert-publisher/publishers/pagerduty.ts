/**
 * PagerDuty Events API v2: firing alerts trigger, resolved alerts resolve, both deduplicated on the
 * Alertmanager fingerprint so PagerDuty folds re-notifications into one alert.
 */
import type { Alert, Severity } from '../pipeline/alert.js';
import { isRecord } from '../json.js';
import { parseJsonBody } from './http-client.js';
import { HttpPublisher, type ProbeResult } from './publisher.js';

const PAGERDUTY_SEVERITY: Record<Severity, string> = {
  critical: 'critical',
  warning: 'warning',
  info: 'info',
};

export class PagerDutyPublisher extends HttpPublisher {
  readonly kind = 'pagerduty';

  async publish(alert: Alert, signal?: AbortSignal): Promise<void> {
    const auth = this.target.auth;
    // Discovery rejects a PagerDuty target without a routing key, so this only guards a bad config object.
    if (auth?.type !== 'routing_key') throw this.fail('clientError', 'no routing key configured');
    const action = alert.status === 'firing' ? 'trigger' : 'resolve';
    const response = await this.send({
      method: 'POST',
      path: '/v2/enqueue',
      body: {
        routing_key: auth.routingKey,
        event_action: action,
        dedup_key: alert.fingerprint,
        ...(action === 'trigger'
          ? {
              payload: {
                summary: alert.annotations.summary,
                source: alert.labels.instance,
                severity: PAGERDUTY_SEVERITY[alert.labels.severity],
                timestamp: alert.startsAt,
                component: alert.labels.job,
                class: alert.labels.alertname,
                custom_details: {
                  labels: alert.labels,
                  description: alert.annotations.description,
                },
              },
              links: [{ href: alert.generatorURL, text: 'Prometheus' }],
            }
          : {}),
      },
      ...(signal ? { signal } : {}),
    });
    const body = parseJsonBody(response.text);
    if (!isRecord(body) || body.status !== 'success')
      throw this.fail('format', 'enqueue response is not {status: "success"}');
    this.recorder.recordPagerDutyEvent(action);
  }

  /** The Events API has no health endpoint: any answer below 500 from the host means reachable. */
  probe(timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
    return this.probeWith(
      { method: 'GET', path: '/' },
      timeoutMs,
      signal,
      (response) => response.status < 500,
    );
  }
}
