import { DiscoveryCollector } from './collectors/discovery.js';
import { HealthCollector } from './collectors/health.js';
import type { MetricsCollector } from './collectors/port-collector.js';
import { QueueCollector } from './collectors/queue.js';
import { RefreshCollector } from './collectors/refresh.js';
import { knownKeys, optionError, plainObject } from './options.js';
import type {
  HealthMonitor,
  PublishingQueue,
  RefreshManager,
  TargetDiscoveryManager,
} from './sources.js';

/** The host's subsystem ports, each optional: a collector is registered for each one given. */
export interface TelemetrySources {
  health?: HealthMonitor;
  refresh?: RefreshManager;
  discovery?: TargetDiscoveryManager;
  queue?: PublishingQueue;
}

/** Each port and the methods it must have. */
const PORT_METHODS: Readonly<Record<keyof TelemetrySources, readonly string[]>> = {
  health: ['getHealth'],
  refresh: ['getStatus'],
  discovery: ['listTargets', 'getStats'],
  queue: ['getStats'],
};

/**
 * Checks a `sources` option: an object whose keys are port names and whose values implement
 * them. An array, an unknown key (a typo such as `healthMonitor`) or a port without its method
 * is an error at startup; it would otherwise start no collector and export nothing for it.
 */
export function checkSources(sources: unknown, name = 'sources'): TelemetrySources {
  if (sources === undefined) return {};
  const o = plainObject(name, sources);
  knownKeys(name, o, Object.keys(PORT_METHODS));
  for (const [port, methods] of Object.entries(PORT_METHODS)) {
    const value = o[port];
    if (value === undefined) continue;
    const impl = plainPort(`${name}.${port}`, value);
    for (const method of methods) {
      if (typeof impl[method] !== 'function') {
        throw optionError(`${name}.${port}.${method}`, 'a function', impl[method]);
      }
    }
  }
  return o as TelemetrySources;
}

function plainPort(name: string, value: unknown): Record<string, unknown> {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    throw optionError(name, 'an object implementing the port', value);
  }
  return value as Record<string, unknown>;
}

/** The port collectors for the given sources, in catalog order. */
export function sourceCollectors(sources: TelemetrySources): MetricsCollector[] {
  const out: MetricsCollector[] = [];
  if (sources.health !== undefined) out.push(new HealthCollector(sources.health));
  if (sources.refresh !== undefined) out.push(new RefreshCollector(sources.refresh));
  if (sources.discovery !== undefined) out.push(new DiscoveryCollector(sources.discovery));
  if (sources.queue !== undefined) out.push(new QueueCollector(sources.queue));
  return out;
}
