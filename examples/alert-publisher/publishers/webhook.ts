/**
 * Generic webhook: POSTs the Alertmanager webhook message (version 4) with the target's bearer or
 * basic credentials, recording the payload size and credential rejections.
 */
import { toWebhookMessage, type Alert } from '../pipeline/alert.js';
import { HttpPublisher, type ProbeResult } from './publisher.js';

export class WebhookPublisher extends HttpPublisher {
  readonly kind = 'webhook';

  async publish(alert: Alert, signal?: AbortSignal): Promise<void> {
    const body = JSON.stringify(toWebhookMessage(alert, this.target.name));
    this.recorder.recordWebhookPayload(this.target.name, Buffer.byteLength(body));
    await this.send({ method: 'POST', body, ...(signal ? { signal } : {}) });
  }

  /** HEAD with the same credentials: a receiver that rejects them cannot take deliveries either. */
  probe(timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
    return this.probeWith(
      { method: 'HEAD' },
      timeoutMs,
      signal,
      (response) => response.status < 500 && response.status !== 401 && response.status !== 403,
    );
  }

  protected override onAuthFailure(): void {
    this.recorder.recordWebhookAuthFailure(this.target.name, this.target.auth?.type ?? 'none');
  }
}
