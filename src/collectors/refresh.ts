import type { RefreshManager, RefreshStatus } from '../sources.js';
import type { Observations } from './observations.js';
import { PortCollector, secondsFromMs, unixSeconds } from './port-collector.js';

/** Target-refresh state from the host's refresh manager. */
export class RefreshCollector extends PortCollector<RefreshStatus> {
  constructor(private readonly manager: RefreshManager | undefined) {
    super('refresh', 'refresh');
  }

  isAvailable(): boolean {
    return this.manager !== undefined;
  }

  protected read() {
    if (this.manager === undefined) throw new Error('no refresh manager configured');
    return this.manager.getStatus();
  }

  protected observe(s: RefreshStatus, out: Observations): void {
    if (s === null || typeof s !== 'object')
      throw new TypeError('getStatus() did not return an object');
    out.observe('refresh_last_success_timestamp_seconds', unixSeconds(s.lastRefresh));
    out.observe('refresh_next_timestamp_seconds', unixSeconds(s.nextRefresh));
    out.observe('refresh_in_progress', s.state === 'in_progress' ? 1 : 0);
    out.observe('refresh_interval_seconds', secondsFromMs(s.intervalMs));
    out.observe('refresh_last_duration_seconds', secondsFromMs(s.refreshDurationMs));
    out.observe('refresh_consecutive_failures', s.consecutiveFailures);
    out.observe('refresh_targets', s.targetsValid, { validity: 'valid' });
    out.observe('refresh_targets', s.targetsInvalid, { validity: 'invalid' });
  }
}
