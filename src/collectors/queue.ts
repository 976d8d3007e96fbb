import { CIRCUIT_STATE_VALUE } from '../catalog.js';
import type { Priority, PublishingQueue, QueueStats } from '../sources.js';
import type { Observations } from './observations.js';
import { PortCollector } from './port-collector.js';

const PRIORITIES: readonly Priority[] = ['high', 'medium', 'low'];

/** An unknown circuit state is reported as invalid (NaN is dropped and counted), not as closed. */
function circuitValue(state: unknown): number {
  return typeof state === 'string' && Object.hasOwn(CIRCUIT_STATE_VALUE, state)
    ? CIRCUIT_STATE_VALUE[state as keyof typeof CIRCUIT_STATE_VALUE]
    : Number.NaN;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= Number.MAX_VALUE;
}

/** Queue depth, workers, DLQ sizes and circuit breakers from the host's publishing queue. */
export class QueueCollector extends PortCollector<QueueStats> {
  constructor(private readonly queue: PublishingQueue | undefined) {
    super('queue', 'queue');
  }

  isAvailable(): boolean {
    return this.queue !== undefined;
  }

  protected read() {
    if (this.queue === undefined) throw new Error('no publishing queue configured');
    return this.queue.getStats();
  }

  protected observe(s: QueueStats, out: Observations): void {
    if (s === null || typeof s !== 'object' || s.priorities == null) {
      throw new TypeError('getStats() did not return queue stats');
    }
    for (const priority of PRIORITIES) {
      const p = s.priorities[priority];
      if (p === undefined) continue;
      out.observe('queue_size', p.size, { priority });
      out.observe('queue_capacity', p.capacity, { priority });
      // Computed here rather than trusted from the host: 0 when there is no capacity at all. Only
      // from values that were valid themselves ("5" is dropped from queue_size, so it must not
      // make a utilization either); an invalid size or capacity is counted once, above.
      if (isCount(p.size) && isCount(p.capacity)) {
        const utilization = p.capacity > 0 ? p.size / p.capacity : 0;
        out.observe('queue_capacity_utilization', utilization, { priority });
      }
    }
    out.observe('workers_active', s.workersActive);
    out.observe('workers_idle', s.workersIdle);
    // Own keys by index: Object.entries built a [key, value] array per target per collection.
    const dlq = s.dlqSize ?? {};
    for (const target of Object.keys(dlq)) out.observeTarget('dlq_size', dlq[target], target);
    const circuits = s.circuitBreakers ?? {};
    for (const target of Object.keys(circuits)) {
      out.observeTarget('circuit_breaker_state', circuitValue(circuits[target]), target);
    }
    out.observe('dlq_oldest_entry_age_seconds', s.dlqOldestEntryAgeSeconds ?? 0);
  }
}
