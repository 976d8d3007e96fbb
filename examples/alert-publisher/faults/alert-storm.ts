/**
 * An alert storm for the chaos scenario: critical alerts, each with a new instance, posted through
 * the intake at a fixed rate, as Alertmanager does when a whole fleet fails at once. On stop it
 * resolves every alert it fired, so the targets' open incidents and threads do not pile up across
 * cycles (at most rate × duration alerts are remembered).
 */
import { EXTERNAL_URL, ZERO_TIME, fingerprintOf, type Alert } from '../pipeline/alert.js';

export class AlertStorm {
  private timer: NodeJS.Timeout | undefined;
  private fired: Alert[] = [];
  private next = 1;

  constructor(private readonly emit: (alert: Alert) => void) {}

  start(ratePerSecond: number): void {
    if (this.timer) return;
    // 10 ticks a second; a fractional carry keeps the average rate at any value.
    let due = 0;
    this.timer = setInterval(() => {
      due += ratePerSecond / 10;
      for (; due >= 1; due--) this.fire();
    }, 100);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    const endsAt = new Date().toISOString();
    for (const alert of this.fired) this.emit({ ...alert, status: 'resolved', endsAt });
    this.fired = [];
  }

  private fire(): void {
    const instance = `storm-${String(this.next++).padStart(5, '0')}:9100`;
    const labels = { alertname: 'NodeDown', severity: 'critical' as const, instance, job: 'node' };
    const alert: Alert = {
      status: 'firing',
      labels,
      annotations: {
        summary: `Node ${instance} is unreachable`,
        description: `Alert storm: ${instance} went down with the rest of its rack.`,
      },
      startsAt: new Date().toISOString(),
      endsAt: ZERO_TIME,
      generatorURL: `${EXTERNAL_URL}/#/alerts`,
      fingerprint: fingerprintOf(labels),
    };
    this.fired.push(alert);
    this.emit(alert);
  }
}
