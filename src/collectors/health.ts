import { HEALTH_STATUS_VALUE } from '../catalog.js';
import type { HealthMonitor, TargetHealth, TargetHealthStatus } from '../sources.js';
import { usableLabelValue } from '../series/label-value.js';
import type { Observations } from './observations.js';
import { PortCollector, secondsFromMs, unixSeconds } from './port-collector.js';

const STATUSES = Object.keys(HEALTH_STATUS_VALUE) as TargetHealth[];

/** Target health from the host's health monitor. */
export class HealthCollector extends PortCollector<readonly TargetHealthStatus[]> {
  constructor(private readonly monitor: HealthMonitor | undefined) {
    super('health', 'health');
  }

  isAvailable(): boolean {
    return this.monitor !== undefined;
  }

  protected read() {
    if (this.monitor === undefined) return [];
    return this.monitor.getHealth();
  }

  protected observe(targets: readonly TargetHealthStatus[], out: Observations): void {
    if (!Array.isArray(targets)) throw new TypeError('getHealth() did not return an array');
    const byStatus: Record<TargetHealth, number> = {
      unknown: 0,
      healthy: 0,
      degraded: 0,
      unhealthy: 0,
    };
    for (const t of targets) {
      if (!usableLabelValue(t?.targetName)) {
        out.invalid('getHealth()[].targetName');
        continue;
      }
      const status: TargetHealth = STATUSES.includes(t.status) ? t.status : 'unknown';
      byStatus[status]++;
      const target = t.targetName;
      // An empty or over-long type is reported as `unknown`, as a missing one is.
      const type = String(t.targetType ?? 'unknown');
      out.observe('target_health_status', HEALTH_STATUS_VALUE[status], {
        target,
        type: usableLabelValue(type) ? type : 'unknown',
      });
      out.observeTarget('target_consecutive_failures', t.consecutiveFailures, target);
      out.observeTarget('target_success_rate', t.successRate, target);
      out.observeTarget('target_check_latency_seconds', secondsFromMs(t.latencyMs), target);
      out.observeTarget('target_last_check_timestamp_seconds', unixSeconds(t.lastCheck), target);
    }
    // Every status is reported, zeros included, so dashboards show 0 rather than no data.
    for (const status of STATUSES) out.observe('targets_by_health', byStatus[status], { status });
  }
}
