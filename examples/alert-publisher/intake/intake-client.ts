/**
 * Posts the built-in generator's alerts to the intake over HTTP, as Alertmanager would, so
 * generated and real alerts take the same path in. One request at a time keeps a firing alert
 * ahead of its resolution; alerts generated while a request is in flight go together in the next
 * notification (as Alertmanager groups them). The backlog is bounded: past `maxPending` the oldest
 * unsent alerts are dropped and counted, so a stopped intake cannot grow the generator's memory.
 */
import { EXTERNAL_URL, type Alert, type AlertmanagerWebhookMessage } from '../pipeline/alert.js';

export interface IntakeClientOptions {
  /** The intake's URL, read at each request (the intake may bind a free port after this is built). */
  url: () => string;
  receiver?: string;
  maxPending?: number;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
  log?(message: string): void;
}

export class IntakeClient {
  /** Notifications answered 2xx / otherwise (including network errors). */
  readonly sent = { ok: 0, failed: 0 };
  /** Alerts dropped because the backlog was full. */
  dropped = 0;
  private pending: Alert[] = [];
  private inFlight: Promise<void> | undefined;
  private readonly maxPending: number;
  private lastError = '';

  constructor(private readonly options: IntakeClientOptions) {
    this.maxPending = options.maxPending ?? 10_000;
  }

  post(alert: Alert): void {
    this.pending.push(alert);
    if (this.pending.length > this.maxPending) {
      this.pending.shift();
      this.dropped++;
    }
    this.inFlight ??= this.drain();
  }

  /** Resolves once everything posted so far has been sent (or failed). */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        await this.send(batch);
      }
    } finally {
      this.inFlight = undefined;
    }
  }

  private async send(alerts: Alert[]): Promise<void> {
    const message = notification(alerts, this.options.receiver ?? 'alert-publisher-demo');
    try {
      const response = await fetch(this.options.url(), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer();
      if (response.ok) {
        this.sent.ok++;
        this.lastError = '';
        return;
      }
      this.failed(`intake answered ${response.status}`);
    } catch (error) {
      this.failed(`intake unreachable: ${(error as Error).message}`);
    }
  }

  /** One line per change of error, not per request: a full queue answers 503 many times a second. */
  private failed(reason: string): void {
    this.sent.failed++;
    if (reason !== this.lastError) this.options.log?.(`generator: ${reason}`);
    this.lastError = reason;
  }
}

function notification(alerts: Alert[], receiver: string): AlertmanagerWebhookMessage {
  const firing = alerts.some((alert) => alert.status === 'firing');
  return {
    version: '4',
    groupKey: '{}:{}',
    truncatedAlerts: 0,
    status: firing ? 'firing' : 'resolved',
    receiver,
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: EXTERNAL_URL,
    alerts,
  };
}
