/**
 * Rootly incidents opened by the demo and not yet resolved (alert fingerprint → incident id), shared
 * by all Rootly publishers so the active-incidents gauge is the process total.
 */
import type { Recorders } from '../recorders.js';

export class RootlyIncidents {
  private readonly open = new Map<string, string>();

  constructor(private readonly recorders: Recorders) {}

  incidentFor(target: string, fingerprint: string): string | undefined {
    return this.open.get(incidentKey(target, fingerprint));
  }

  opened(target: string, fingerprint: string, incidentId: string): void {
    this.open.set(incidentKey(target, fingerprint), incidentId);
    this.recorders.publisher.setRootlyActiveIncidents(this.open.size);
  }

  closed(target: string, fingerprint: string): void {
    if (this.open.delete(incidentKey(target, fingerprint)))
      this.recorders.publisher.setRootlyActiveIncidents(this.open.size);
  }

  /** Forget a removed target's incidents. */
  deleteTarget(target: string): void {
    const prefix = incidentKey(target, '');
    for (const key of this.open.keys()) if (key.startsWith(prefix)) this.open.delete(key);
    this.recorders.publisher.setRootlyActiveIncidents(this.open.size);
  }
}

function incidentKey(target: string, fingerprint: string): string {
  return `${target}\u0000${fingerprint}`;
}
