/**
 * Scripted failure scenario for `--chaos`, looping every 60 s over the embedded fake targets: a
 * target goes down (connection refused), a webhook rejects credentials, another target gets a 429
 * storm, a third turns slow (above the degraded threshold), a webhook throws a 5xx burst, then
 * everything recovers. Each step names its
 * victim by kind, so it works with any targets file that has builtin targets of those kinds.
 */
import type { TargetConfig } from './pipeline/target-config.js';
import type { FakeTargetServer } from './targets/fake-target-server.js';
import type { TargetKind } from './target-kinds.js';

export interface ChaosVictim {
  target: string;
  server: FakeTargetServer;
}

export interface ChaosStep {
  atSeconds: number;
  /** The kind of target hit: the first by name among the enabled builtin ones. */
  kind: TargetKind;
  describe: string;
  apply(server: FakeTargetServer): Promise<void> | void;
}

export const CHAOS_CYCLE_SECONDS = 60;

export const DEFAULT_CHAOS_STEPS: readonly ChaosStep[] = [
  {
    atSeconds: 5,
    kind: 'pagerduty',
    describe: 'goes down (connection refused)',
    apply: (server) => server.goDown(),
  },
  {
    atSeconds: 20,
    kind: 'slack',
    describe: '429 storm, Retry-After 2 s, for 15 s',
    apply: (server) =>
      server.setFailure({ kind: 'rate_limited', retryAfterSeconds: 2, remaining: Infinity }),
  },
  {
    atSeconds: 10,
    kind: 'webhook',
    describe: 'rejects credentials (401) for 8 s',
    apply: (server) => server.setFailure({ kind: 'auth_failure', status: 401 }),
  },
  {
    atSeconds: 18,
    kind: 'webhook',
    describe: 'accepts credentials again',
    apply: (server) => server.setFailure({ kind: 'none' }),
  },
  { atSeconds: 25, kind: 'pagerduty', describe: 'is back up', apply: (server) => server.comeUp() },
  {
    atSeconds: 35,
    kind: 'slack',
    describe: 'storm over',
    apply: (server) => server.setFailure({ kind: 'none' }),
  },
  {
    atSeconds: 35,
    kind: 'rootly',
    describe: 'turns slow (1.5 s per request)',
    apply: (server) => server.setLatency(1_500, 200),
  },
  {
    atSeconds: 45,
    kind: 'webhook',
    describe: '5xx burst (next 20 requests answer 503)',
    apply: (server) => server.setFailure({ kind: 'server_error', status: 503, remaining: 20 }),
  },
  {
    atSeconds: 50,
    kind: 'rootly',
    describe: 'back to normal latency',
    apply: (server) => server.setLatency(0),
  },
];

export class ChaosScenario {
  private timers: NodeJS.Timeout[] = [];
  private cycle: NodeJS.Timeout | undefined;
  private readonly touched = new Set<FakeTargetServer>();

  constructor(
    private readonly targets: () => readonly TargetConfig[],
    private readonly serverOf: (target: string) => FakeTargetServer | undefined,
    private readonly log: (message: string) => void,
    private readonly steps: readonly ChaosStep[] = DEFAULT_CHAOS_STEPS,
    private readonly cycleSeconds = CHAOS_CYCLE_SECONDS,
  ) {}

  start(): void {
    if (this.cycle) return;
    this.runCycle();
    this.cycle = setInterval(
      () => void this.recoverAll().then(() => this.runCycle()),
      this.cycleSeconds * 1000,
    );
  }

  /** Ends the scenario and restores every target it touched. */
  async stop(): Promise<void> {
    clearInterval(this.cycle);
    this.cycle = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    await this.recoverAll();
  }

  private runCycle(): void {
    this.log(`chaos: cycle starts (${this.cycleSeconds} s)`);
    this.timers = this.steps.map((step) =>
      setTimeout(() => void this.run(step), step.atSeconds * 1000),
    );
  }

  private async run(step: ChaosStep): Promise<void> {
    const victim = this.victim(step.kind);
    if (!victim) {
      this.log(`chaos: no builtin ${step.kind} target, skipping "${step.describe}"`);
      return;
    }
    this.touched.add(victim.server);
    await step.apply(victim.server);
    this.log(`chaos: ${victim.target} ${step.describe}`);
  }

  private victim(kind: TargetKind): ChaosVictim | undefined {
    const candidates = this.targets()
      .filter(
        (target) => target.type === kind && target.enabled && target.ref.startsWith('builtin:'),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const target of candidates) {
      const server = this.serverOf(target.name);
      if (server) return { target: target.name, server };
    }
    return undefined;
  }

  private async recoverAll(): Promise<void> {
    await Promise.all([...this.touched].map((server) => server.recover()));
    if (this.touched.size > 0) this.log('chaos: all targets recovered');
    this.touched.clear();
  }
}
