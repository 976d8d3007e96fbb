/**
 * Scripted failure scenario for `--chaos`: named faults, each started and ended at a fixed time of
 * a 120 s cycle that loops (or runs `cycles` times). Delivery faults hit the embedded fake targets
 * (a target down, rejected credentials, a 429 storm, a slow target, 5xx); subsystem faults hit what
 * the telemetry library reads (a port that hangs, one that throws, a targets source that fails);
 * an alert storm saturates the queue. Each fault names the publishing alerts
 * (`collector-config/prometheus/rules/publishing-alerts.yml`) it is meant to fire; the alert-loop
 * test checks that it does, against real Prometheus and Alertmanager.
 *
 * Delivery faults pick their victim by kind (the first enabled builtin target of that kind by
 * name), so the scenario works with any targets file that has builtin targets of those kinds.
 */
import type { PortFaults } from './faults/port-faults.js';
import type { AlertStorm } from './faults/alert-storm.js';
import type { TargetConfig } from './pipeline/target-config.js';
import type { FakeTargetServer } from './targets/fake-target-server.js';
import type { TargetKind } from './target-kinds.js';

export interface ChaosVictim {
  target: string;
  server: FakeTargetServer;
}

/** What a fault can break. */
export interface ChaosContext {
  /** The first (or last) enabled builtin target of a kind, by name. */
  victim(kind: TargetKind, which?: 'first' | 'last'): ChaosVictim | undefined;
  /** Every embedded server behind an enabled target. */
  servers(): FakeTargetServer[];
  ports: PortFaults;
  discovery: { failSource(reason: string | undefined): void };
  storm: AlertStorm;
}

export interface ChaosFault {
  /** Stable name, printed in the log lines `chaos: start <name> …` / `chaos: end <name>`. */
  name: string;
  atSeconds: number;
  /** How long it lasts; undefined: a one-off (a burst that runs out by itself). */
  forSeconds?: number;
  describe: string;
  /** The alert rules this fault is meant to fire. */
  fires: readonly string[];
  /** Applies the fault; returns what it hit, for the log line. */
  start(context: ChaosContext): Promise<string | undefined> | string | undefined;
  end?(context: ChaosContext): Promise<void> | void;
}

export const CHAOS_CYCLE_SECONDS = 120;

/** Hits the victim of a kind; undefined (and nothing done) when there is none. */
function onVictim(
  kind: TargetKind,
  apply: (server: FakeTargetServer) => Promise<void> | void,
  which: 'first' | 'last' = 'first',
): (context: ChaosContext) => Promise<string | undefined> {
  return async (context) => {
    const victim = context.victim(kind, which);
    if (!victim) return undefined;
    await apply(victim.server);
    return victim.target;
  };
}

const recoverVictim =
  (kind: TargetKind, which: 'first' | 'last' = 'first') =>
  async (context: ChaosContext): Promise<void> => {
    await context.victim(kind, which)?.server.recover();
  };

export const DEFAULT_CHAOS_FAULTS: readonly ChaosFault[] = [
  {
    name: 'target-down',
    atSeconds: 5,
    forSeconds: 20,
    describe: 'PagerDuty refuses connections',
    // PagerDuty takes the critical alerts only, yet its DLQ share of all finished jobs is above
    // both burn thresholds (14.4 × and 6 × 0.5 %).
    fires: [
      'PublishingTargetUnhealthy',
      'PublishingCircuitOpen',
      'PublishingDeliveryErrorBudgetBurnFast',
      'PublishingDeliveryErrorBudgetBurnSlow',
    ],
    start: onVictim('pagerduty', (server) => server.goDown()),
    end: recoverVictim('pagerduty'),
  },
  {
    name: 'collector-timeout',
    atSeconds: 5,
    forSeconds: 10,
    describe: 'the discovery port hangs (never answers)',
    fires: ['PublishingCollectorTimeouts'],
    start: (context) => {
      context.ports.set('discovery', 'hang');
      return 'discovery port';
    },
    end: (context) => context.ports.set('discovery', 'none'),
  },
  {
    name: 'credentials-rejected',
    atSeconds: 10,
    forSeconds: 8,
    describe: 'a webhook answers 401',
    fires: [],
    start: onVictim('webhook', (server) =>
      server.setFailure({ kind: 'auth_failure', status: 401 }),
    ),
    end: recoverVictim('webhook'),
  },
  {
    name: 'rate-limited',
    atSeconds: 20,
    forSeconds: 15,
    describe: 'Slack answers 429, Retry-After 2 s',
    fires: [],
    start: onVictim('slack', (server) =>
      server.setFailure({ kind: 'rate_limited', retryAfterSeconds: 2, remaining: Infinity }),
    ),
    end: recoverVictim('slack'),
  },
  {
    name: 'collector-down',
    atSeconds: 20,
    forSeconds: 12,
    describe: 'the discovery port throws',
    fires: ['PublishingCollectorDown'],
    start: (context) => {
      context.ports.set('discovery', 'throw');
      return 'discovery port';
    },
    end: (context) => context.ports.set('discovery', 'none'),
  },
  {
    name: 'target-slow',
    atSeconds: 35,
    forSeconds: 15,
    describe: 'Rootly answers in 1.5 s (degraded)',
    fires: [],
    start: onVictim('rootly', (server) => server.setLatency(1_500, 200)),
    end: recoverVictim('rootly'),
  },
  {
    name: 'refresh-failing',
    atSeconds: 35,
    forSeconds: 15,
    describe: 'the targets source is unreachable; the last good targets stay live',
    fires: ['PublishingRefreshFailing', 'PublishingRefreshStale'],
    start: (context) => {
      context.discovery.failSource('targets source unreachable (chaos)');
      return 'target refresh';
    },
    end: (context) => context.discovery.failSource(undefined),
  },
  {
    name: 'server-errors',
    atSeconds: 45,
    describe: 'a webhook answers 503 to its next 20 requests',
    fires: [],
    start: onVictim('webhook', (server) =>
      server.setFailure({ kind: 'server_error', status: 503, remaining: 20 }),
    ),
  },
  {
    name: 'queue-saturation',
    atSeconds: 55,
    forSeconds: 25,
    describe: 'every target answers in 3 s while a storm of 15 critical alerts/s arrives',
    fires: ['PublishingQueueSaturated'],
    start: (context) => {
      const servers = context.servers();
      for (const server of servers) server.setLatency(3_000);
      context.storm.start(15);
      return `${servers.length} targets`;
    },
    end: (context) => {
      context.storm.stop();
      for (const server of context.servers()) server.setLatency(0);
    },
  },
  {
    name: 'replays-failing',
    atSeconds: 85,
    forSeconds: 20,
    // The last webhook by name: the first one's DLQ may still be draining from the faults above.
    describe: 'another webhook answers 503 to everything: deliveries and DLQ replays fail',
    fires: ['PublishingDLQGrowing'],
    start: onVictim(
      'webhook',
      (server) => server.setFailure({ kind: 'server_error', status: 503, remaining: Infinity }),
      'last',
    ),
    end: recoverVictim('webhook', 'last'),
  },
];

export interface ChaosOptions {
  faults?: readonly ChaosFault[];
  /** Multiplies every time of the scenario (2: twice as long); default 1. */
  scale?: number;
  /** Cycles to run; default: until stopped. */
  cycles?: number;
}

export interface ChaosWiring {
  targets: () => readonly TargetConfig[];
  serverOf: (target: string) => FakeTargetServer | undefined;
  ports: PortFaults;
  discovery: ChaosContext['discovery'];
  storm: AlertStorm;
  log: (message: string) => void;
}

export class ChaosScenario {
  private timers: NodeJS.Timeout[] = [];
  private cycle: NodeJS.Timeout | undefined;
  private cyclesRun = 0;
  private readonly active = new Set<ChaosFault>();
  private readonly touched = new Set<FakeTargetServer>();
  private readonly faults: readonly ChaosFault[];
  private readonly scale: number;
  private readonly context: ChaosContext;

  constructor(
    private readonly wiring: ChaosWiring,
    private readonly options: ChaosOptions = {},
  ) {
    this.faults = options.faults ?? DEFAULT_CHAOS_FAULTS;
    this.scale = options.scale ?? 1;
    this.context = {
      victim: (kind, which = 'first') => {
        const victim = this.victim(kind, which);
        if (victim) this.touched.add(victim.server);
        return victim;
      },
      servers: () => {
        const servers = this.servers();
        for (const server of servers) this.touched.add(server);
        return servers;
      },
      ports: wiring.ports,
      discovery: wiring.discovery,
      storm: wiring.storm,
    };
  }

  get cycleSeconds(): number {
    return CHAOS_CYCLE_SECONDS * this.scale;
  }

  start(): void {
    if (this.cycle) return;
    this.runCycle();
    this.cycle = setInterval(
      () =>
        void this.recoverAll().then(() => {
          if (this.options.cycles !== undefined && this.cyclesRun >= this.options.cycles) {
            clearInterval(this.cycle);
            this.wiring.log('chaos: done');
            return;
          }
          this.runCycle();
        }),
      this.cycleSeconds * 1000,
    );
  }

  /** Ends the scenario and restores everything it broke. */
  async stop(): Promise<void> {
    clearInterval(this.cycle);
    this.cycle = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    await this.recoverAll();
  }

  private runCycle(): void {
    this.cyclesRun++;
    this.wiring.log(`chaos: cycle ${this.cyclesRun} starts (${this.cycleSeconds} s)`);
    this.timers = this.faults.flatMap((fault) => {
      const timers = [
        setTimeout(() => void this.begin(fault), fault.atSeconds * this.scale * 1000),
      ];
      if (fault.forSeconds !== undefined)
        timers.push(
          setTimeout(
            () => void this.finish(fault),
            (fault.atSeconds + fault.forSeconds) * this.scale * 1000,
          ),
        );
      return timers;
    });
  }

  private async begin(fault: ChaosFault): Promise<void> {
    const hit = await fault.start(this.context);
    if (hit === undefined) {
      this.wiring.log(`chaos: skip ${fault.name} (nothing to hit: ${fault.describe})`);
      return;
    }
    if (fault.end) this.active.add(fault);
    this.wiring.log(`chaos: start ${fault.name} (${hit}: ${fault.describe})`);
  }

  private async finish(fault: ChaosFault): Promise<void> {
    if (!this.active.delete(fault)) return;
    await fault.end?.(this.context);
    this.wiring.log(`chaos: end ${fault.name}`);
  }

  private victim(kind: TargetKind, which: 'first' | 'last'): ChaosVictim | undefined {
    const candidates = this.wiring
      .targets()
      .filter(
        (target) => target.type === kind && target.enabled && target.ref.startsWith('builtin:'),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
    if (which === 'last') candidates.reverse();
    for (const target of candidates) {
      const server = this.wiring.serverOf(target.name);
      if (server) return { target: target.name, server };
    }
    return undefined;
  }

  private servers(): FakeTargetServer[] {
    const servers = new Set<FakeTargetServer>();
    for (const target of this.wiring.targets()) {
      if (!target.enabled) continue;
      const server = this.wiring.serverOf(target.name);
      if (server) servers.add(server);
    }
    return [...servers];
  }

  private async recoverAll(): Promise<void> {
    for (const fault of [...this.active]) await this.finish(fault);
    this.wiring.ports.clear();
    this.wiring.discovery.failSource(undefined);
    this.wiring.storm.stop();
    await Promise.all([...this.touched].map((server) => server.recover()));
    if (this.touched.size > 0) this.wiring.log('chaos: all targets recovered');
    this.touched.clear();
  }
}
