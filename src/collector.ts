import { diag, type Meter, type MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import {
  MeterProvider,
  type CollectionResult,
  type MetricData,
  type MetricReader,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';
import { DEFAULT_NAMESPACE } from './catalog.js';
import { DEFAULT_MAX_TARGETS, TargetGuard } from './cardinality.js';
import type {
  BoundCollector,
  CollectorRun,
  MetricsCollector,
} from './collectors/port-collector.js';
import { DiscoveryRecorder } from './recorders/discovery.js';
import { TargetLabels, type TargetLabelMode } from './recorders/labels.js';
import { PublisherRecorder } from './recorders/publisher.js';
import { QueueRecorder } from './recorders/queue.js';
import type { Recorder } from './recorders/recorder.js';
import { RefreshRecorder } from './recorders/refresh.js';
import type { SeriesStore } from './recorders/store.js';
import { SelfMonitor } from './recorders/self-monitor.js';
import { SeriesLifecycle } from './series-lifecycle.js';
import { SnapshotReader } from './snapshot/reader.js';
import type { CollectorStatus, MetricFamily, MetricsSnapshot } from './snapshot/snapshot.js';
import { SCOPE_NAME, SCOPE_VERSION } from './version.js';

export const DEFAULT_COLLECTOR_TIMEOUT_MS = 1000;

export interface PublishingMetricsCollectorOptions {
  /**
   * The host's MeterProvider. When given, `snapshotReader` must be one of its readers; when
   * absent, a MeterProvider is created with the snapshot reader and `readers`.
   */
  meterProvider?: ApiMeterProvider;
  /** The SnapshotReader registered with `meterProvider` (created when omitted). */
  snapshotReader?: SnapshotReader;
  /** Further readers of a created MeterProvider (Prometheus, OTLP); each is attached. */
  readers?: MetricReader[];
  /** Resource of a created MeterProvider. */
  resource?: Resource;
  /** Metric-name prefix; default `alert_history_publishing`. */
  namespace?: string;
  /** Per-collector timeout, milliseconds (default 1000). */
  collectorTimeoutMs?: number;
  /** Distinct `target` label values before folding into `__overflow__` (default 500). */
  maxTargets?: number;
  /**
   * `target` (default): per-target series carry the target name. `type`: the `target` label is
   * removed and series are keyed by the target's type (from health checks, discovery or the
   * publisher name); metrics that carry `type` or `publisher` already just lose `target`. The
   * exact labels per metric are listed in `recorders/labels.ts`.
   */
  targetLabel?: TargetLabelMode;
}

interface Registration {
  readonly collector: MetricsCollector;
  /** Undefined while the collector's subsystem is absent. */
  readonly bound: BoundCollector | undefined;
  last?: CollectorRun;
  lastSuccessAt?: number;
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a positive finite number, got ${value}`);
  }
  return value;
}

/**
 * The registry of collectors and recorders, and the one place that turns their data into what
 * readers export: `collectAll()` for a snapshot, `attach(reader)` for any other MetricReader.
 */
export class PublishingMetricsCollector {
  readonly namespace: string;
  /**
   * A meter of the library's scope on the provider in use, for instruments of the host's own;
   * attached readers export them together with the library's series (snapshots do not).
   */
  readonly meter: Meter;
  readonly snapshotReader: SnapshotReader;
  readonly targets: TargetGuard;
  /** Hot-path recorder of finished target refreshes. */
  readonly refresh: RefreshRecorder;
  /** Hot-path recorder of queue submissions, finished jobs, retries, circuit transitions, DLQ. */
  readonly queue: QueueRecorder;
  /** Hot-path recorder of publisher requests, errors and Slack/Rootly/PagerDuty/webhook events. */
  readonly publisher: PublisherRecorder;
  /** Recorder of discovery operations, errors, secrets and target lookups. */
  readonly discovery: DiscoveryRecorder;

  private readonly ownProvider: MeterProvider | undefined;
  private readonly collectorTimeoutMs: number;
  private readonly registrations = new Map<string, Registration>();
  private readonly lifecycle = new SeriesLifecycle();
  private readonly selfMonitor: SelfMonitor;
  private readonly recorders: Recorder[] = [];
  private readonly attached = new WeakSet<MetricReader>();
  private inflight: Promise<MetricsSnapshot> | undefined;
  /** The collector runs of the collection in progress, shared by every reader collecting now. */
  private runs: Promise<void> | undefined;
  private deadline: number | undefined;
  private readonly targetLabels: TargetLabels;
  private isShutdown = false;

  constructor(options: PublishingMetricsCollectorOptions = {}) {
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    if (!/^([a-zA-Z_][a-zA-Z0-9_]*)?$/.test(this.namespace)) {
      throw new Error(`namespace '${this.namespace}' is not a valid Prometheus metric-name prefix`);
    }
    this.collectorTimeoutMs = positive(
      'collectorTimeoutMs',
      options.collectorTimeoutMs ?? DEFAULT_COLLECTOR_TIMEOUT_MS,
    );
    this.targets = new TargetGuard(options.maxTargets ?? DEFAULT_MAX_TARGETS);
    this.targetLabels = new TargetLabels(this.targets, options.targetLabel ?? 'target');
    this.snapshotReader = options.snapshotReader ?? new SnapshotReader();
    this.snapshotReader.bind(this);
    this.attach(this.snapshotReader);
    if (options.meterProvider !== undefined) {
      if (options.snapshotReader === undefined) {
        throw new Error(
          'with a host meterProvider, pass the SnapshotReader you registered in its readers as snapshotReader',
        );
      }
      this.meter = options.meterProvider.getMeter(SCOPE_NAME, SCOPE_VERSION);
    } else {
      const readers = [this.snapshotReader, ...(options.readers ?? [])];
      for (const reader of readers) this.attach(reader);
      this.ownProvider = new MeterProvider({
        readers,
        ...(options.resource !== undefined ? { resource: options.resource } : {}),
      });
      this.meter = this.ownProvider.getMeter(SCOPE_NAME, SCOPE_VERSION);
    }
    const recorderContext = { namespace: this.namespace, targets: this.targets };
    this.selfMonitor = this.addRecorder(new SelfMonitor(recorderContext));
    this.refresh = this.addRecorder(new RefreshRecorder(recorderContext));
    this.queue = this.addRecorder(new QueueRecorder(recorderContext));
    this.publisher = this.addRecorder(new PublisherRecorder(recorderContext));
    this.discovery = this.addRecorder(new DiscoveryRecorder(recorderContext));
  }

  /** The MeterProvider this collector created, if it created one. */
  get meterProvider(): MeterProvider | undefined {
    return this.ownProvider;
  }

  /** Registers a collector; its instruments appear from the next collection. */
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
        timeoutMs: () => this.currentTimeoutMs(),
        report: (run) => this.onRun(registration, run),
      }),
    };
    this.selfMonitor.addCollector(collector.name);
    this.registrations.set(collector.name, registration);
  }

  /** Removes a collector and, from the next collection, its series. */
  unregisterCollector(name: string): boolean {
    const registration = this.registrations.get(name);
    if (registration === undefined) return false;
    this.registrations.delete(name);
    this.lifecycle.disown(name);
    this.selfMonitor.removeCollector(name);
    return true;
  }

  get collectorNames(): string[] {
    return [...this.registrations.keys()];
  }

  /**
   * Collects every registered collector once and returns the snapshot. Concurrent callers share
   * one collection. `timeoutMs` lowers the per-collector timeout for this collection.
   */
  collectAll(options: { timeoutMs?: number } = {}): Promise<MetricsSnapshot> {
    if (this.inflight !== undefined) return this.inflight;
    if (options.timeoutMs !== undefined) {
      this.deadline = performance.now() + positive('timeoutMs', options.timeoutMs);
    }
    const run = this.snapshotReader.collectAll().finally(() => {
      this.inflight = undefined;
      this.deadline = undefined;
    });
    this.inflight = run;
    return run;
  }

  /**
   * Makes a MetricReader export what the snapshot shows: each of its collections runs the
   * collectors (sharing a run in progress) and appends the library's series (port gauges of
   * collectors whose last run succeeded, recorder counters and histograms, self-monitoring) to
   * what the SDK collected. Readers created through this class or `startPublishingTelemetry`
   * are attached already.
   */
  attach(reader: MetricReader): void {
    if (this.attached.has(reader)) return;
    this.attached.add(reader);
    const collect = reader.collect.bind(reader);
    reader.collect = async (options) => {
      // Collector runs read the ports while the SDK collects the host's own instruments.
      const runs = this.runCollectors();
      const result = await collect(options);
      await runs;
      return this.finishCollection(result);
    };
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

  /** Removes every series of a target from recorders and frees its cardinality place. */
  forgetTarget(target: string): void {
    for (const recorder of this.recorders) recorder.forgetTarget(target);
    this.targets.forget(target);
    this.targetLabels.forget(target);
  }

  /** Shuts down a MeterProvider this collector created (flushing its exporters). */
  async shutdown(): Promise<void> {
    this.isShutdown = true;
    for (const name of [...this.registrations.keys()]) this.unregisterCollector(name);
    await this.ownProvider?.shutdown();
  }

  /** Adds a recorder whose stores are published with every collection. */
  addRecorder<T extends Recorder>(recorder: T): T {
    this.recorders.push(recorder);
    return recorder;
  }

  private currentTimeoutMs(): number {
    if (this.deadline === undefined) return this.collectorTimeoutMs;
    return Math.max(1, Math.min(this.collectorTimeoutMs, this.deadline - performance.now()));
  }

  /**
   * Runs every registered collector once; readers that collect meanwhile share the runs, so
   * several readers (Prometheus, OTLP, snapshots) never multiply port calls.
   */
  private runCollectors(): Promise<void> {
    if (this.runs !== undefined) return this.runs;
    const runs: Array<Promise<void>> = [];
    for (const [name, { bound }] of this.registrations) {
      if (bound === undefined) continue;
      // collect() reports its own failures; this only guards the registry's bookkeeping.
      const run = bound.collect().catch((err: unknown) => {
        diag.error(`otel-publishing-metrics: collector '${name}' run failed unexpectedly`, err);
      });
      runs.push(run);
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
    this.selfMonitor.recordRun(name, run.durationMs / 1000, run.ok ? undefined : run.reason);
    for (const target of this.lifecycle.onRun(name, run)) {
      // A target no collector reports any more has left the pipeline: drop its recorder series.
      if (!this.lifecycle.isReported(target)) this.forgetTarget(target);
    }
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

  private ourScope(): ScopeMetrics {
    const now = Date.now();
    const metrics: MetricData[] = [];
    for (const store of this.stores()) {
      const data = store.toMetricData(now);
      if (data !== undefined) metrics.push(data);
    }
    return { scope: { name: SCOPE_NAME, version: SCOPE_VERSION }, metrics };
  }

  /**
   * Runs the collectors (sharing runs in progress) and returns every family, built from the
   * stores directly: a snapshot needs no OTel data points in between.
   */
  async collectFamilies(): Promise<Map<string, MetricFamily>> {
    if (this.isShutdown)
      throw new Error('cannot collect after shutdown() of the PublishingMetricsCollector');
    await this.runCollectors();
    const families = new Map<string, MetricFamily>();
    for (const store of this.stores()) {
      const family = store.toFamily();
      if (family === undefined) continue;
      const existing = families.get(family.name);
      // Catalog names are unique; a host's store of the same name joins the family.
      if (existing === undefined) families.set(family.name, family);
      else
        families.set(family.name, {
          name: existing.name,
          type: existing.type,
          help: existing.help,
          unit: existing.unit,
          series: [...existing.series, ...family.series] as MetricFamily['series'],
        });
    }
    return families;
  }

  private finishCollection(result: CollectionResult): CollectionResult {
    const ours = this.ourScope();
    const scopeMetrics: ScopeMetrics[] = [];
    let merged = false;
    for (const scope of result.resourceMetrics.scopeMetrics) {
      // Instruments a host created on `meter` share our scope: one scope, theirs first.
      if (scope.scope.name === SCOPE_NAME && !merged) {
        scopeMetrics.push({ ...scope, metrics: [...scope.metrics, ...ours.metrics] });
        merged = true;
      } else scopeMetrics.push(scope);
    }
    if (!merged) scopeMetrics.push(ours);
    return { ...result, resourceMetrics: { ...result.resourceMetrics, scopeMetrics } };
  }
}
