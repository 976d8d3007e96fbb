/**
 * Breaks a subsystem port on purpose, for the chaos scenario: while a port is set to `hang`, each
 * of its methods returns a promise that never settles (the library's collector times out); set to
 * `throw`, each call throws (the collector reports itself down). The pipeline itself is untouched:
 * only what the telemetry library reads through the port misbehaves.
 */
import type { PipelinePorts } from '../pipeline/pipeline.js';

export type PortName = keyof PipelinePorts;
export type PortFault = 'none' | 'hang' | 'throw';

export class PortFaults {
  private readonly faults = new Map<PortName, PortFault>();

  set(port: PortName, fault: PortFault): void {
    if (fault === 'none') this.faults.delete(port);
    else this.faults.set(port, fault);
  }

  clear(): void {
    this.faults.clear();
  }

  /** The ports as the library should see them: each call checks the port's current fault. */
  wrap(ports: PipelinePorts): PipelinePorts {
    return {
      health: this.wrapPort('health', ports.health),
      refresh: this.wrapPort('refresh', ports.refresh),
      discovery: this.wrapPort('discovery', ports.discovery),
      queue: this.wrapPort('queue', ports.queue),
    };
  }

  private wrapPort<T extends object>(name: PortName, port: T): T {
    return new Proxy(port, {
      get: (target, key, receiver) => {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const fault = this.faults.get(name);
          // Never settles: only the caller's timeout ends the wait.
          if (fault === 'hang') return new Promise<never>(() => undefined);
          if (fault === 'throw') throw new Error(`${name} port unavailable (chaos)`);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }
}
