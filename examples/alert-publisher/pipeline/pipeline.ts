/**
 * The alert-publishing pipeline, assembled: alerts are classified and fanned out as one job per
 * routed target into the bounded priority queue; workers deliver them through circuit breakers with
 * retries; undeliverable jobs park in the DLQ and are replayed periodically. Discovery (refreshed on
 * an interval and on file change) decides the targets; the health monitor probes them.
 *
 * The four library ports are exposed as `ports`; hot-path events go through the recorder container,
 * whose members `instrument()` swaps, so telemetry can be wired after construction.
 */
import type {
  CircuitState,
  HealthMonitor,
  Priority,
  PublishingQueue,
  QueueStats,
  RefreshManager,
  TargetDiscoveryManager,
} from '../ports.js';
import { createPublisher } from '../publishers/create-publisher.js';
import type { PublisherContext } from '../publishers/publisher.js';
import { RootlyIncidents } from '../publishers/rootly-incidents.js';
import { SlackMessageCache } from '../publishers/slack-message-cache.js';
import { noopRecorders, type JobState, type Recorders } from '../recorders.js';
import type { Alert } from './alert.js';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import { Delivery, type TargetRuntime } from './delivery.js';
import { DeliveryStats } from './delivery-stats.js';
import {
  DEFAULT_HEALTH_OPTIONS,
  TargetHealthMonitor,
  type HealthMonitorOptions,
} from './health-monitor.js';
import type { Job } from './job.js';
import { classifyPriority } from './priority.js';
import { BoundedPriorityQueue, PRIORITIES } from './priority-queue.js';
import {
  TargetRefreshManager,
  type RefreshOptions,
  type RefreshOutcome,
} from './refresh-manager.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { receives, type TargetConfig } from './target-config.js';
import { TargetDiscovery, type BuiltinResolver } from './target-discovery.js';
import { WorkerPool } from './worker-pool.js';

export interface PipelinePorts {
  health: HealthMonitor;
  refresh: RefreshManager;
  discovery: TargetDiscoveryManager;
  queue: PublishingQueue;
}

export type PipelineLog = (message: string, level: 'info' | 'warn') => void;

export interface DlqOptions {
  capacityPerTarget: number;
  replayIntervalMs: number;
  /** Entries replayed per target per round. */
  replayBatch: number;
  /** Replays per entry before it is dropped. */
  maxReplays: number;
}

export interface PipelineOptions {
  targetsFile: string;
  extraTargets?: readonly unknown[];
  env?: NodeJS.ProcessEnv;
  resolveBuiltin?: BuiltinResolver;
  /** Initial recorders (tests pass a counting double); `instrument()` can replace them later. */
  recorders?: Recorders;
  workers?: number;
  queueCapacity?: Readonly<Record<Priority, number>>;
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  circuitBreaker?: Partial<CircuitBreakerOptions>;
  health?: Partial<HealthMonitorOptions>;
  refresh?: Partial<Omit<RefreshOptions, 'file'>>;
  dlq?: Partial<DlqOptions>;
  /** Operational events worth a line (target added, circuit opened, refresh failed). */
  log?: PipelineLog;
  /** Told of every alert a target accepted (first delivery or DLQ replay). */
  onDelivered?: (job: Job) => void;
}

const DEFAULT_QUEUE_CAPACITY: Record<Priority, number> = { high: 500, medium: 1_000, low: 2_000 };
const DEFAULT_BREAKER: CircuitBreakerOptions = { failureThreshold: 5, cooldownMs: 10_000 };
// A batch of 200 every 10 s outpaces 5 alerts/s fanned out to one target, so a DLQ filled during an
// outage drains within a minute or two of recovery.
const DEFAULT_DLQ: DlqOptions = {
  capacityPerTarget: 1_000,
  replayIntervalMs: 10_000,
  replayBatch: 200,
  maxReplays: 5,
};

export class AlertPipeline {
  readonly discovery: TargetDiscovery;
  readonly refresh: TargetRefreshManager;
  readonly health: TargetHealthMonitor;
  readonly queue: BoundedPriorityQueue<Job>;
  readonly workers: WorkerPool<Job>;
  readonly dlq: DeadLetterQueue;
  readonly stats = new DeliveryStats();
  readonly ports: PipelinePorts;
  /** Jobs finished, by outcome, since start. */
  readonly totals: Record<JobState, number> = { succeeded: 0, failed: 0, dlq: 0 };

  /** Shared container: components keep this object, `instrument()` replaces its members. */
  private readonly recorders: Recorders;
  private readonly runtimes = new Map<string, TargetRuntime>();
  private readonly context: PublisherContext;
  private readonly delivery: Delivery;
  private readonly breakerOptions: CircuitBreakerOptions;
  private readonly dlqOptions: DlqOptions;
  private readonly log: PipelineLog;
  private replayTimer: NodeJS.Timeout | undefined;
  private replaying: Promise<void> | undefined;
  private accepting = false;
  private nextJobId = 1;
  private lastInvalid = '';

  constructor(options: PipelineOptions) {
    this.recorders = { ...(options.recorders ?? noopRecorders()) };
    this.log = options.log ?? (() => undefined);
    this.breakerOptions = { ...DEFAULT_BREAKER, ...options.circuitBreaker };
    this.dlqOptions = { ...DEFAULT_DLQ, ...options.dlq };
    this.context = {
      recorders: this.recorders,
      requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
      slackCache: new SlackMessageCache(this.recorders),
      rootlyIncidents: new RootlyIncidents(this.recorders),
    };
    this.discovery = new TargetDiscovery({
      file: options.targetsFile,
      recorders: this.recorders,
      ...(options.extraTargets ? { extraTargets: options.extraTargets } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.resolveBuiltin ? { resolveBuiltin: options.resolveBuiltin } : {}),
    });
    this.refresh = new TargetRefreshManager(
      { intervalMs: 30_000, ...options.refresh, file: options.targetsFile },
      () => this.rediscover(),
      this.recorders,
    );
    this.health = new TargetHealthMonitor(
      { ...DEFAULT_HEALTH_OPTIONS, ...options.health },
      (name) => this.runtimes.get(name)?.publisher,
    );
    this.queue = new BoundedPriorityQueue<Job>(options.queueCapacity ?? DEFAULT_QUEUE_CAPACITY);
    this.dlq = new DeadLetterQueue(this.dlqOptions.capacityPerTarget);
    this.delivery = new Delivery({
      recorders: this.recorders,
      lookup: (name) => this.lookup(name),
      dlq: this.dlq,
      stats: this.stats,
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      maxReplays: this.dlqOptions.maxReplays,
      ...(options.onDelivered ? { onDelivered: options.onDelivered } : {}),
    });
    this.workers = new WorkerPool(this.queue, options.workers ?? 16, async (job, signal) => {
      const state = await this.delivery.process(job, signal);
      if (state) this.totals[state]++;
    });
    this.ports = {
      health: this.health,
      refresh: this.refresh,
      discovery: this.discovery,
      queue: { getStats: () => this.queueStats() },
    };
  }

  /** Swaps in the telemetry recorders; every component sees them from its next event on. */
  instrument(recorders: Recorders): void {
    Object.assign(this.recorders, recorders);
  }

  /** Discovers the targets (failing if the file is unusable), then starts workers, probes, refresh and replay. */
  async start(): Promise<void> {
    await this.refresh.refreshNow();
    const status = this.refresh.getStatus();
    if (status.state === 'failed')
      throw new Error(`target discovery failed: ${status.error ?? 'unknown error'}`);
    this.accepting = true;
    this.workers.start();
    this.health.start();
    this.refresh.start();
    this.replayTimer = setInterval(() => void this.replayDlq(), this.dlqOptions.replayIntervalMs);
  }

  /** Stops intake, drains the queue (bounded), then stops workers, probes, refresh and replay. */
  async stop(drainTimeoutMs = 5_000): Promise<{ drained: boolean; abandoned: number }> {
    this.accepting = false;
    clearInterval(this.replayTimer);
    await this.refresh.stop();
    const drained = await this.workers.drain(drainTimeoutMs);
    const abandoned = this.queue.size;
    await this.workers.stop();
    await Promise.all([this.health.stop(), this.replaying]);
    return { drained, abandoned };
  }

  /** Fans an alert out to the targets that receive its severity; returns the jobs accepted. */
  submit(alert: Alert): number {
    return this.offer(alert).accepted;
  }

  /** Like `submit`, with the jobs the full queue refused and whether the pipeline is taking alerts. */
  offer(alert: Alert): { accepted: number; rejected: number; open: boolean } {
    if (!this.accepting) return { accepted: 0, rejected: 0, open: false };
    const priority = classifyPriority(alert);
    const queueRecorder = this.recorders.queue;
    let accepted = 0;
    let rejected = 0;
    for (const [name, runtime] of this.runtimes) {
      if (!receives(runtime.config, alert.labels.severity)) continue;
      const job: Job = {
        id: this.nextJobId++,
        alert,
        target: name,
        priority,
        enqueuedAt: performance.now(),
      };
      const ok = this.queue.offer(job);
      queueRecorder.recordSubmission(priority, ok ? 'accepted' : 'rejected');
      if (ok) accepted++;
      else rejected++;
    }
    return { accepted, rejected, open: true };
  }

  /** Live (enabled) targets by name. */
  runtime(name: string): TargetRuntime | undefined {
    return this.runtimes.get(name);
  }

  /** Replays every target's DLQ once (also run on the replay interval); targets in parallel, so a slow one holds up only itself. */
  replayDlq(): Promise<void> {
    this.replaying ??= Promise.all(
      this.dlq.targets().map(async (target) => {
        const { succeeded, failed } = await this.delivery.replay(
          target,
          this.dlqOptions.replayBatch,
          this.workers.signal,
        );
        if (succeeded > 0 || failed > 0)
          this.log(
            `DLQ replay ${target}: ${succeeded} delivered${failed ? ', target still failing' : ''}`,
            'info',
          );
      }),
    )
      .then(() => undefined)
      .finally(() => {
        this.replaying = undefined;
      });
    return this.replaying;
  }

  queueStats(): QueueStats {
    const priorities = Object.fromEntries(
      PRIORITIES.map((priority) => [
        priority,
        { size: this.queue.sizeOf(priority), capacity: this.queue.capacityOf(priority) },
      ]),
    ) as Record<Priority, { size: number; capacity: number }>;
    // Every live target reports a DLQ size and breaker state, so dashboards show 0 / closed, not "no data".
    const dlqSize: Record<string, number> = {};
    const circuitBreakers: Record<string, CircuitState> = {};
    for (const [name, runtime] of this.runtimes) {
      dlqSize[name] = this.dlq.sizeOf(name);
      circuitBreakers[name] = runtime.breaker.state;
    }
    return {
      priorities,
      workersActive: this.workers.active,
      workersIdle: this.workers.idle,
      dlqSize,
      dlqOldestEntryAgeSeconds: this.dlq.oldestAgeSeconds(),
      circuitBreakers,
    };
  }

  private lookup(name: string): TargetRuntime | undefined {
    const runtime = this.runtimes.get(name);
    this.recorders.discovery.recordLookup('get', runtime ? 'found' : 'not_found');
    return runtime;
  }

  private async rediscover(): Promise<RefreshOutcome> {
    try {
      const { targets, invalid } = await this.discovery.discover();
      this.applyTargets(targets);
      // Once per change of the invalid set, not on every refresh of the same file.
      const invalidKey = invalid.join('\n');
      if (invalidKey !== this.lastInvalid)
        for (const reason of invalid) this.log(`invalid target skipped: ${reason}`, 'warn');
      this.lastInvalid = invalidKey;
      return {
        discovered: targets.length + invalid.length,
        valid: targets.length,
        invalid: invalid.length,
      };
    } catch (error) {
      this.log(
        `target refresh failed, keeping ${this.runtimes.size} targets: ${(error as Error).message}`,
        'warn',
      );
      throw error;
    }
  }

  /** Reconciles live targets with discovery: new ones get a publisher and a closed breaker, gone ones leave every structure. */
  private applyTargets(targets: readonly TargetConfig[]): void {
    const enabled = new Map(
      targets.filter((target) => target.enabled).map((target) => [target.name, target]),
    );
    for (const [name, runtime] of this.runtimes) {
      if (enabled.has(name)) continue;
      this.runtimes.delete(name);
      this.dlq.removeTarget(name);
      this.stats.removeTarget(name);
      this.context.slackCache.deleteTarget(name);
      this.context.rootlyIncidents.deleteTarget(name);
      this.log(`target removed: ${name} (${runtime.config.type})`, 'info');
    }
    for (const [name, config] of enabled) {
      const existing = this.runtimes.get(name);
      if (existing && JSON.stringify(existing.config) === JSON.stringify(config)) continue;
      // A changed config gets a new publisher but keeps its breaker: the target's history still applies.
      const breaker =
        existing?.breaker ??
        new CircuitBreaker(this.breakerOptions, (from, to) =>
          this.onCircuitTransition(name, from, to),
        );
      this.runtimes.set(name, {
        config,
        publisher: createPublisher(config, this.context),
        breaker,
      });
      if (!existing) this.log(`target added: ${name} (${config.type}) → ${config.url}`, 'info');
    }
    this.health.syncTargets(targets);
  }

  private onCircuitTransition(target: string, from: CircuitState, to: CircuitState): void {
    // A job still in flight for a removed target must not bring its series back.
    if (!this.runtimes.has(target)) return;
    this.recorders.queue.recordCircuitTransition(target, from, to);
    this.log(`circuit ${target}: ${from} → ${to}`, to === 'open' ? 'warn' : 'info');
  }
}
