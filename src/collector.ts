import { diag } from '@opentelemetry/api';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import { collectorSettings, type PublishingMetricsCollectorOptions } from './collector-options.js';
import { ReadWatch } from './collector-reads.js';
import type {
  BoundCollector,
  CollectorRun,
  MetricsCollector,
} from './collectors/port-collector.js';
import { bindInstrumentPath, type InstrumentPath } from './export/instrument-path.js';
import { PublishingMetricProducer } from './export/metric-producer.js';
import { positiveNumber } from './options.js';
import { DiscoveryRecorder } from './recorders/discovery.js';
import { PublisherRecorder } from './recorders/publisher.js';
import { QueueRecorder } from './recorders/queue.js';
import type { Recorder, RecorderContext } from './recorders/recorder.js';
import { RefreshRecorder } from './recorders/refresh.js';
import { RecorderRejections } from './recorders/rejections.js';
import { SelfMonitor } from './recorders/self-monitor.js';
import { RetiredTargets } from './series/retired-targets.js';
import { SeriesLifecycle } from './series/series-lifecycle.js';
import type { SeriesStore } from './series/series-store.js';
import { TargetGuard } from './series/target-guard.js';
import { TargetLabels } from './series/target-labels.js';
import { sourceCollectors } from './setup-sources.js';
import { captureFamilies } from './snapshot/store-capture.js';
import { MetricsSnapshot, type CollectorStatus } from './snapshot/snapshot.js';

export {
  DEFAULT_COLLECTOR_TIMEOUT_MS,
  type PublishingMetricsCollectorOptions,
} from './collector-options.js';

/** The runs of a collection whose ports all answered synchronously. */
const DONE: Promise<void> = Promise.resolve();

interface Registration {
  readonly collector: MetricsCollector;
  /** Undefined while the collector's subsystem is absent. */
  readonly bound: BoundCollector | undefined;
  last?: CollectorRun;
  lastSuccessAt?: number;
}

/**
 * The registry of collectors and recorders, and the one place their series leave the library:
 * as instruments on a MeterProvider (the instrument path, on by default), through `producer`
 * (the producer path), and as `collectAll()` snapshots. Every way out shares the collector runs
 * in progress, so several readers and snapshot callers never multiply port calls.
 */
export class PublishingMetricsCollector {
  readonly namespace: string;
  readonly targets: TargetGuard;
  /**
   * The producer path: pass it in `metricProducers` of a `MetricReader`,
   * `PeriodicExportingMetricReader` or `PrometheusExporter` you construct (with
   * `meterProvider: false` here, or that reader exports every series twice).
   */
  readonly producer: MetricProducer;
  /** Hot-path recorder of finished target refreshes. */
  readonly refresh: RefreshRecorder;
  /** Hot-path recorder of queue submissions, finished jobs, retries, circuit transitions, DLQ. */
  readonly queue: QueueRecorder;
  /** Hot-path recorder of publisher requests, errors and Slack/Rootly/PagerDuty/webhook events. */
  readonly publisher: PublisherRecorder;
  /** Recorder of discovery operations, errors, secrets and target lookups. */
  readonly discovery: DiscoveryRecorder;

  private readonly instruments: InstrumentPath | undefined;
  private readonly collectorTimeoutMs: number;
  private readonly registrations = new Map<string, Registration>();
  private readonly lifecycle = new SeriesLifecycle();
  private readonly selfMonitor: SelfMonitor;
  private readonly recorders: Recorder[] = [];
  private readonly retired: RetiredTargets;
  private inflight: Promise<MetricsSnapshot> | undefined;
  /** The collector runs of the collection in progress, shared by every reader collecting now. */
  private runs: Promise<void> | undefined;
  private deadline: number | undefined;
  private readonly targetLabels: TargetLabels;
  private readonly reads: ReadWatch;
  private closing: Promise<void> | undefined;
  private isShutdown = false;

  constructor(options: PublishingMetricsCollectorOptions = {}) {
    const settings = collectorSettings(options);
    this.namespace = settings.namespace;
    this.collectorTimeoutMs = settings.collectorTimeoutMs;
    this.targets = new TargetGuard(settings.maxTargets);
    this.targetLabels = new TargetLabels(this.targets, settings.targetLabel);
    this.producer = new PublishingMetricProducer({
      prepare: (timeoutMs) => {
        this.reads.noteRead('producer');
        return this.runCollectors(timeoutMs);
      },
      stores: () => this.stores(),
    });
    this.instruments = bindInstrumentPath(options.meterProvider);
    this.retired = new RetiredTargets(settings.retiredTargetGraceMs, settings.maxTargets);
    this.reads = new ReadWatch(this.instruments !== undefined);
    // One set of target labels and one rejection store for every recorder of this registry.
    const recorderContext: RecorderContext = {
      namespace: this.namespace,
      targets: this.targets,
      labels: this.targetLabels,
      rejections: new RecorderRejections(this.namespace),
    };
    this.selfMonitor = this.addRecorder(new SelfMonitor(recorderContext));
    this.refresh = this.addRecorder(new RefreshRecorder(recorderContext));
    this.queue = this.addRecorder(new QueueRecorder(recorderContext));
    this.publisher = this.addRecorder(new PublisherRecorder(recorderContext));
    this.discovery = this.addRecorder(new DiscoveryRecorder(recorderContext));
    for (const collector of sourceCollectors(settings.sources)) this.registerCollector(collector);
  }

  /** True while the library's series are instruments on a MeterProvider. */
  get instrumentPath(): boolean {
    return this.instruments !== undefined;
  }

  /** Registers a collector; its series appear from the next collection. */
  registerCollector(collector: MetricsCollector): void {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(collector.name)) {
      throw new Error(`collector name '${collector.name}' must match [a-zA-Z_][a-zA-Z0-9_]*`);
    }
    if (this.registrations.has(collector.name)) {
      throw new Error(`a collector named '${collector.name}' is already registered`);
    }
    if (!collector.isAvailable()) {
      this.registrations.set(collector.name, { collector, bound: undefined });
      return;
    }
    const registration: Registration = {
      collector,
      bound: collector.bind({
        namespace: this.namespace,
        targets: this.targets,
        labels: this.targetLabels,
        timeoutMs: () => this.currentTimeoutMs(),
        report: (run) => this.onRun(registration, run),
      }),
    };
    this.selfMonitor.addCollector(collector.name);
    this.registrations.set(collector.name, registration);
    const bound = registration.bound as BoundCollector;
    this.instruments?.register(
      `collector:${collector.name}`,
      bound.series,
      () => this.runCollectors(),
      () => bound.stores(),
    );
  }

  /** Removes a collector and, from the next collection, its series. */
  unregisterCollector(name: string): boolean {
    const registration = this.registrations.get(name);
    if (registration === undefined) return false;
    this.registrations.delete(name);
    this.instruments?.unregister(`collector:${name}`, registration.bound?.series);
    this.lifecycle.disown(name);
    this.selfMonitor.removeCollector(name);
    return true;
  }

  get collectorNames(): string[] {
    return [...this.registrations.keys()];
  }

  /**
   * Collects every registered collector once and returns the snapshot. Concurrent callers share
   * one collection. `timeoutMs` lowers the per-collector timeout for this collection. After
   * `shutdown()` it returns the final values without reading the ports.
   */
  collectAll(options: { timeoutMs?: number } = {}): Promise<MetricsSnapshot> {
    this.reads.noteRead('snapshot');
    if (this.inflight !== undefined) return this.inflight;
    const timeoutMs =
      options.timeoutMs !== undefined ? positiveNumber('timeoutMs', options.timeoutMs) : undefined;
    const run = this.snapshot(timeoutMs).finally(() => {
      this.inflight = undefined;
    });
    this.inflight = run;
    return run;
  }

  /** Per collector: availability, last run and staleness. */
  statuses(): Record<string, CollectorStatus> {
    const out: Record<string, CollectorStatus> = {};
    for (const [name, r] of this.registrations) {
      if (!r.collector.isAvailable()) {
        out[name] = { available: false, ok: true, durationMs: 0 };
        continue;
      }
      const last = r.last;
      out[name] = {
        available: true,
        ok: last?.ok ?? false,
        durationMs: last?.durationMs ?? 0,
        ...(last === undefined ? { error: 'not collected yet' } : {}),
        ...(last?.error !== undefined ? { error: last.error } : {}),
        ...(last !== undefined && !last.ok ? { stale: r.lastSuccessAt !== undefined } : {}),
        ...(last !== undefined && last.invalidValues > 0
          ? { invalidValues: last.invalidValues }
          : {}),
        ...(r.lastSuccessAt !== undefined ? { lastSuccessAt: r.lastSuccessAt } : {}),
      };
    }
    return out;
  }

  /**
   * Removes every series of a target from recorders and frees its cardinality place. Its
   * counters and histograms are kept, unexported, for `retiredTargetGraceMs`: if it returns
   * meanwhile, they continue from where they were (monotonic across its absence).
   */
  forgetTarget(target: string): void {
    this.retired.retire(target, this.recorders);
    this.targets.forget(target);
    this.targetLabels.forget(target);
  }

  /**
   * Reads the ports one last time (within the collector timeout) and freezes the series: from
   * then on every way out — instruments, the producer, `collectAll()` — reports these final
   * values without reading a port again, so a MeterProvider shut down after the library still
   * exports them in its final export. Idempotent.
   */
  shutdown(): Promise<void> {
    this.reads.noteRead('snapshot');
    return (this.closing ??= this.runCollectors().then(() => {
      this.isShutdown = true;
    }));
  }

  /** Adds a recorder whose stores are published with every collection. */
  addRecorder<T extends Recorder>(recorder: T): T {
    this.recorders.push(recorder);
    // Recorder series are observed after this collection's runs: collector_up reports them, and
    // a target a port reports for the first time gets its series (at zero) in the same export.
    const ready = () => this.runCollectors();
    this.instruments?.register(`recorder:${this.recorders.length}`, recorder.stores, ready);
    return recorder;
  }

  private currentTimeoutMs(): number {
    if (this.deadline === undefined) return this.collectorTimeoutMs;
    return Math.max(1, Math.min(this.collectorTimeoutMs, this.deadline - performance.now()));
  }

  /**
   * Runs every registered collector once; readers that collect meanwhile share the runs, so
   * several readers (Prometheus, OTLP, snapshots) never multiply port calls. `timeoutMs` lowers
   * the per-collector timeout of a run it starts (a reader's own collection timeout).
   */
  private runCollectors(timeoutMs?: number): Promise<void> {
    if (this.runs !== undefined) return this.runs;
    if (this.isShutdown) return Promise.resolve();
    // Each collector reads its timeout synchronously when its run starts.
    this.deadline = timeoutMs !== undefined ? performance.now() + timeoutMs : undefined;
    const runs: Array<Promise<void>> = [];
    for (const [name, { bound }] of this.registrations) {
      if (bound === undefined) continue;
      // collect() reports its own failures; this only guards the registry's bookkeeping.
      const unexpected = (err: unknown) => {
        diag.error(`otel-publishing-metrics: collector '${name}' run failed unexpectedly`, err);
      };
      try {
        // Undefined: the port answered synchronously and the run is already done.
        const run = bound.collect();
        if (run !== undefined) runs.push(run.catch(unexpected));
      } catch (err) {
        unexpected(err);
      }
    }
    this.deadline = undefined;
    if (runs.length === 0) {
      // Every run finished synchronously. The instrument path's callbacks of one collection are
      // called one after another in this same turn: they share these runs until it ends.
      this.runs = DONE;
      queueMicrotask(() => {
        if (this.runs === DONE) this.runs = undefined;
      });
      return DONE;
    }
    const all = Promise.all(runs).then(() => {
      this.runs = undefined;
    });
    this.runs = all;
    return all;
  }

  private onRun(registration: Registration, run: CollectorRun): void {
    const name = registration.collector.name;
    // A run that finishes after its collector was unregistered (or replaced) is not recorded.
    if (this.registrations.get(name) !== registration) return;
    registration.last = run;
    if (run.ok) registration.lastSuccessAt = Date.now();
    else
      diag.warn(`otel-publishing-metrics: collector '${name}' failed: ${run.error ?? run.reason}`);
    this.selfMonitor.recordRun(
      name,
      run.durationMs / 1000,
      run.ok ? undefined : run.reason,
      run.invalidValues,
    );
    for (const target of this.lifecycle.onRun(name, run)) {
      // A target no collector reports any more has left the pipeline: drop its recorder series.
      if (!this.lifecycle.isReported(target)) this.forgetTarget(target);
    }
    this.retired.expire(this.recorders);
  }

  /** Every store whose series are exported now: fresh collector runs, then the recorders. */
  private stores(): SeriesStore[] {
    const stores: SeriesStore[] = [];
    for (const { bound } of this.registrations.values()) {
      if (bound !== undefined) for (const store of bound.stores()) stores.push(store);
    }
    for (const recorder of this.recorders) for (const store of recorder.stores) stores.push(store);
    return stores;
  }

  private async snapshot(timeoutMs: number | undefined): Promise<MetricsSnapshot> {
    const started = performance.now();
    await this.runCollectors(timeoutMs);
    const families = captureFamilies(this.stores());
    return new MetricsSnapshot(
      new Date(),
      performance.now() - started,
      families,
      this.statuses(),
      this.namespace,
    );
  }
}
