/**
 * Rootly incidents: a firing alert creates an incident (POST /v1/incidents), a re-notification
 * updates it and the resolution resolves it (PATCH /v1/incidents/:id). An alert whose incident was
 * never created (its creation failed) has nothing to resolve.
 */
import type { Alert, Severity } from '../pipeline/alert.js';
import { isRecord } from '../json.js';
import { PublishError } from './publish-error.js';
import { parseJsonBody } from './http-client.js';
import { HttpPublisher, type ProbeResult } from './publisher.js';

const ROOTLY_SEVERITY: Record<Severity, string> = {
  critical: 'sev1',
  warning: 'sev2',
  info: 'sev3',
};
const JSON_API = { 'content-type': 'application/vnd.api+json' };

export class RootlyPublisher extends HttpPublisher {
  readonly kind = 'rootly';

  async publish(alert: Alert, signal?: AbortSignal): Promise<void> {
    const incidents = this.context.rootlyIncidents;
    const { name } = this.target;
    const incidentId = incidents.incidentFor(name, alert.fingerprint);
    const options = signal ? { signal } : {};

    if (alert.status === 'resolved') {
      if (incidentId === undefined) return;
      await this.patch(incidentId, alert.fingerprint, { status: 'resolved' }, options);
      incidents.closed(name, alert.fingerprint);
      this.recorder.recordRootlyIncident('resolved');
      return;
    }
    if (incidentId !== undefined) {
      await this.patch(
        incidentId,
        alert.fingerprint,
        { summary: alert.annotations.summary },
        options,
      );
      this.recorder.recordRootlyIncident('updated');
      return;
    }
    const response = await this.send({
      method: 'POST',
      path: '/v1/incidents',
      headers: JSON_API,
      body: {
        data: {
          type: 'incidents',
          attributes: {
            title: `${alert.labels.alertname} on ${alert.labels.instance}`,
            summary: alert.annotations.summary,
            severity: ROOTLY_SEVERITY[alert.labels.severity],
            labels: [{ key: 'fingerprint', value: alert.fingerprint }],
          },
        },
      },
      ...options,
    });
    const body = parseJsonBody(response.text);
    const id = isRecord(body) && isRecord(body.data) ? body.data.id : undefined;
    if (typeof id !== 'string') throw this.fail('format', 'created incident has no data.id');
    incidents.opened(name, alert.fingerprint, id);
    this.recorder.recordRootlyIncident('created');
  }

  probe(timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
    return this.probeWith(
      { method: 'GET', path: '/v1/incidents?page[size]=1' },
      timeoutMs,
      signal,
      (response) => response.status === 200,
    );
  }

  private async patch(
    id: string,
    fingerprint: string,
    attributes: Record<string, string>,
    options: { signal?: AbortSignal },
  ): Promise<void> {
    try {
      await this.send({
        method: 'PATCH',
        path: `/v1/incidents/${encodeURIComponent(id)}`,
        headers: JSON_API,
        body: { data: { type: 'incidents', attributes } },
        ...options,
      });
    } catch (error) {
      // Deleted on Rootly's side: stop tracking it so the next firing opens a fresh incident.
      if (error instanceof PublishError && error.status === 404)
        this.context.rootlyIncidents.closed(this.target.name, fingerprint);
      throw error;
    }
  }
}
