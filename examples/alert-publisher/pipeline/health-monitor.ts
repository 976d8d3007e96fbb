/**
 * Probes every enabled target on an interval. A target is healthy when its probe answers,
 * degraded when it answers slower than the latency threshold or has failed fewer than
 * `unhealthyAfter` times in a row (one lost probe is not an outage yet), unhealthy after that.
 * Implements the library's HealthMonitor port: getHealth() only reads the cached results.
 */
import { setMaxListeners } from 'node:events';
import type { HealthMonitor, TargetHealthStatus } from '../ports.js';
import type { Publisher } from '../publishers/publisher.js';
import type { TargetConfig } from './target-config.js';

export interface HealthMonitorOptions {
  intervalMs: number;
  probeTimeoutMs: number;
  degradedLatencyMs: number;
  unhealthyAfter: number;
  /** Probes in flight at once: bounds the burst a 1000-target run sends every interval. */
  concurrency: number;
}

export const DEFAULT_HEALTH_OPTIONS: HealthMonitorOptions = {
  intervalMs: 5_000,
  probeTimeoutMs: 3_000,
  degradedLatencyMs: 1_000,
  unhealthyAfter: 3,
  concurrency: 32,
};

type Entry = TargetHealthStatus;

export class TargetHealthMonitor implements HealthMonitor {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly options: HealthMonitorOptions,
    private readonly publisherOf: (target: string) => Publisher | undefined,
  ) {
    // Each probe in flight listens on the monitor's signal (up to `concurrency`, 32 by default),
    // each removed when its probe ends: Node's "possible EventTarget memory leak" warning at 11
    // would be a false alarm.
    setMaxListeners(this.options.concurrency + 1, this.abort.signal);
  }

  getHealth(): TargetHealthStatus[] {
    return [...this.entries.values()].map((entry) => ({ ...entry }));
  }

  statusOf(target: string): TargetHealthStatus | undefined {
    return this.entries.get(target);
  }

  /**
   * Follows discovery: new targets start `unknown` (lastCheck is their registration time until the
   * first probe), removed ones are forgotten at once so they leave getHealth().
   */
  syncTargets(targets: readonly TargetConfig[]): void {
    const names = new Set(targets.map((target) => target.name));
    for (const name of this.entries.keys()) if (!names.has(name)) this.entries.delete(name);
    for (const target of targets) {
      const entry = this.entries.get(target.name);
      if (entry && entry.targetType === target.type) {
        entry.enabled = target.enabled;
        if (!target.enabled) entry.status = 'unknown';
        continue;
      }
      this.entries.set(target.name, {
        targetName: target.name,
        targetType: target.type,
        enabled: target.enabled,
        status: 'unknown',
        lastCheck: new Date(),
        consecutiveFailures: 0,
        totalChecks: 0,
        totalSuccesses: 0,
        totalFailures: 0,
        successRate: 0,
      });
    }
  }

  start(): void {
    if (this.timer) return;
    void this.checkNow();
    this.timer = setInterval(() => void this.checkNow(), this.options.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.round;
  }

  /** One probe round over all enabled targets; a round still running is joined, not doubled. */
  checkNow(): Promise<void> {
    this.round ??= this.runRound().finally(() => {
      this.round = undefined;
    });
    return this.round;
  }

  private async runRound(): Promise<void> {
    const queue = [...this.entries.values()].filter((entry) => entry.enabled);
    const worker = async (): Promise<void> => {
      for (let entry = queue.shift(); entry; entry = queue.shift()) await this.check(entry);
    };
    await Promise.all(
      Array.from({ length: Math.min(this.options.concurrency, queue.length) }, worker),
    );
  }

  private async check(entry: Entry): Promise<void> {
    const publisher = this.publisherOf(entry.targetName);
    if (!publisher || this.abort.signal.aborted) return;
    const result = await publisher.probe(this.options.probeTimeoutMs, this.abort.signal);
    // Removed or replaced while the probe was out: its result belongs to nobody.
    if (this.entries.get(entry.targetName) !== entry || this.abort.signal.aborted) return;
    const now = new Date();
    entry.lastCheck = now;
    entry.latencyMs = result.latencyMs;
    entry.totalChecks++;
    if (result.ok) {
      entry.totalSuccesses++;
      entry.consecutiveFailures = 0;
      entry.lastSuccess = now;
      const slow = result.latencyMs > this.options.degradedLatencyMs;
      entry.status = slow ? 'degraded' : 'healthy';
      if (slow)
        entry.errorMessage = `latency ${Math.round(result.latencyMs)} ms above ${this.options.degradedLatencyMs} ms`;
      else delete entry.errorMessage;
    } else {
      entry.totalFailures++;
      entry.consecutiveFailures++;
      entry.lastFailure = now;
      entry.errorMessage = result.error ?? 'probe failed';
      entry.status =
        entry.consecutiveFailures >= this.options.unhealthyAfter ? 'unhealthy' : 'degraded';
    }
    entry.successRate = entry.totalSuccesses / entry.totalChecks;
  }
}
