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
  CollectorContext,
  CollectorRun,
  MetricsCollector,
} from './collectors/port-collector.js';
import { DiscoveryRecorder } from './recorders/discovery.js';
import { TargetLabels, type TargetLabelMode } from './recorders/labels.js';
import { PublisherRecorder } from './recorders/publisher.js';
import { QueueRecorder } from './recorders/queue.js';
import type { Recorder } from './recorders/recorder.js';
import { RefreshRecorder } from './recorders/refresh.js';
import { SelfMonitor } from './recorders/self-monitor.js';
import { SeriesLifecycle } from './series-lifecycle.js';
import { SnapshotReader } from './snapshot/reader.js';
import type { CollectorStatus, MetricsSnapshot } from './snapshot/snapshot.js';
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
  readonly unregister: () => void;
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
  readonly scopeName = SCOPE_NAME;
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
  private deadline: number | undefined;
  private readonly context: CollectorContext;
  private readonly targetLabels: TargetLabels;

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
    this.context = {
      namespace: this.namespace,
      targets: this.targets,
      timeoutMs: () => this.currentTimeoutMs(),
      report: (name, run) => this.onRun(name, run),
    };
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
      this.registrations.set(collector.name, { collector, unregister: () => undefined });
      return;
    }
    const unregister = collector.register(this.meter, this.context);
    this.lifecycle.own(collector.name, collector.instrumentNames(this.namespace));
    this.selfMonitor.addCollector(collector.name);
    this.registrations.set(collector.name, { collector, unregister });
  }

  /** Removes a collector and, from the next collection, its series. */
  unregisterCollector(name: string): boolean {
    const registration = this.registrations.get(name);
    if (registration === undefined) return false;
    registration.unregister();
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
   * Makes any MetricReader of the same MeterProvider export what the snapshot shows: stale and
   * removed series withheld, recorder metrics (counters, histograms, self-monitoring) added.
   * Readers created through this class or `startPublishingTelemetry` are attached already.
   */
  attach(reader: MetricReader): void {
    if (this.attached.has(reader)) return;
    this.attached.add(reader);
    const collect = reader.collect.bind(reader);
    reader.collect = async (options) => this.finishCollection(await collect(options));
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

  private onRun(name: string, run: CollectorRun): void {
    const registration = this.registrations.get(name);
    if (registration === undefined) return;
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

  private recorderScope(): ScopeMetrics {
    const now = Date.now();
    const metrics: MetricData[] = [];
    for (const recorder of this.recorders) {
      for (const store of recorder.stores) {
        const data = store.toMetricData(now);
        if (data !== undefined) metrics.push(data);
      }
    }
    return { scope: { name: SCOPE_NAME, version: SCOPE_VERSION }, metrics };
  }

  private finishCollection(result: CollectionResult): CollectionResult {
    const scopeMetrics: ScopeMetrics[] = [];
    let ours: ScopeMetrics | undefined;
    for (const scope of result.resourceMetrics.scopeMetrics) {
      if (scope.scope.name !== SCOPE_NAME) {
        scopeMetrics.push(scope);
        continue;
      }
      ours = this.lifecycle.prune(scope);
      scopeMetrics.push(ours);
    }
    const recorded = this.recorderScope();
    if (ours === undefined) scopeMetrics.push(recorded);
    else ours.metrics.push(...recorded.metrics);
    return { ...result, resourceMetrics: { ...result.resourceMetrics, scopeMetrics } };
  }
}
