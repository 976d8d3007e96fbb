import { diag, metrics, type MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import { DEFAULT_NAMESPACE } from './catalog.js';
import { DEFAULT_MAX_TARGETS, TargetGuard } from './cardinality.js';
import type {
  BoundCollector,
  CollectorRun,
  MetricsCollector,
} from './collectors/port-collector.js';
import { InstrumentPath } from './export/instrument-path.js';
import { isNoopMeterProvider } from './export/meter-provider.js';
import { PublishingMetricProducer } from './export/metric-producer.js';
import { integerIn, knownKeys, plainObject, positiveNumber } from './options.js';
import { DiscoveryRecorder } from './recorders/discovery.js';
import { TargetLabels, type TargetLabelMode } from './recorders/labels.js';
import { PublisherRecorder } from './recorders/publisher.js';
import { QueueRecorder } from './recorders/queue.js';
import type { Recorder } from './recorders/recorder.js';
import { RefreshRecorder } from './recorders/refresh.js';
import type { SeriesStore } from './recorders/store.js';
import { DEFAULT_RETIRED_TARGET_GRACE_MS, RetiredTargets } from './recorders/retired-targets.js';
import { SelfMonitor } from './recorders/self-monitor.js';
import { SeriesLifecycle } from './series-lifecycle.js';
import { checkSources, sourceCollectors, type TelemetrySources } from './setup-sources.js';
import { FamilyColumns } from './snapshot/column-family.js';
import { MetricsSnapshot, type CollectorStatus, type MetricFamily } from './snapshot/snapshot.js';
import { SCOPE_NAME, SCOPE_VERSION } from './version.js';

export const DEFAULT_COLLECTOR_TIMEOUT_MS = 1000;

/** The runs of a collection whose ports all answered synchronously. */
const DONE: Promise<void> = Promise.resolve();

/** How long after start an unread producer-path collector reports that nothing reads it. */
const UNREAD_WARNING_MS = 60_000;

export interface PublishingMetricsCollectorOptions {
  /**
   * The instrument path: the MeterProvider whose readers export the library's metrics as OTel
   * instruments. Omitted: the global one (`metrics.getMeterProvider()`, e.g. the one NodeSDK
   * registered). `false`: no instruments; hand `collector.producer` to your readers'
   * `metricProducers` instead (the producer path).
   */
  meterProvider?: ApiMeterProvider | false;
  /** The host's subsystem ports; a collector is registered for each one given. */
  sources?: TelemetrySources;
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
  /**
   * How long a target that left the pipeline keeps its recorder counters and histograms,
   * unexported, so that they continue where they were if it returns (default 15 minutes; 0:
   * forget at once). At most `maxTargets` targets are kept, the oldest forgotten first.
   */
  retiredTargetGraceMs?: number;
}

const OPTION_KEYS = [
  'meterProvider',
  'sources',
  'namespace',
  'collectorTimeoutMs',
  'maxTargets',
  'targetLabel',
  'retiredTargetGraceMs',
] as const;

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
  private closing: Promise<void> | undefined;
  private isShutdown = false;
  private unreadTimer: ReturnType<typeof setTimeout> | undefined;
  private warnedTwice = false;

  constructor(options: PublishingMetricsCollectorOptions = {}) {
    knownKeys('PublishingMetricsCollector options', plainObject('options', options), OPTION_KEYS);
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    if (typeof this.namespace !== 'string' || !/^([a-zA-Z_][a-zA-Z0-9_]*)?$/.test(this.namespace)) {
      throw new Error(`namespace '${this.namespace}' is not a valid Prometheus metric-name prefix`);
    }
    this.collectorTimeoutMs = positiveNumber(
      'collectorTimeoutMs',
      options.collectorTimeoutMs ?? DEFAULT_COLLECTOR_TIMEOUT_MS,
    );
    const maxTargets = integerIn(
      'maxTargets',
      options.maxTargets ?? DEFAULT_MAX_TARGETS,
      1,
      Number.MAX_SAFE_INTEGER,
    );
    const targetLabel = options.targetLabel ?? 'target';
    if (targetLabel !== 'target' && targetLabel !== 'type') {
      throw new TypeError(`targetLabel must be 'target' or 'type', got ${String(targetLabel)}`);
    }
    const sources = checkSources(options.sources);
    this.targets = new TargetGuard(maxTargets);
    this.targetLabels = new TargetLabels(this.targets, targetLabel);
    this.producer = new PublishingMetricProducer({
      prepare: (timeoutMs) => {
        this.noteRead('producer');
        return this.runCollectors(timeoutMs);
      },
      stores: () => this.stores(),
    });
    this.instruments = this.bindInstrumentPath(options.meterProvider);
    if (this.instruments === undefined) {
      // The producer path needs the host to hand `producer` to a reader; say so if none does.
      this.unreadTimer = setTimeout(() => {
        diag.warn(
          `otel-publishing-metrics: no reader has collected the publishing metrics ${UNREAD_WARNING_MS / 1000} s ` +
            'after start (meterProvider: false): pass collector.producer in the metricProducers ' +
            'of your MetricReader / PeriodicExportingMetricReader / PrometheusExporter, or omit ' +
            'meterProvider: false to export them as instruments of the global MeterProvider.',
        );
      }, UNREAD_WARNING_MS);
      this.unreadTimer.unref();
    }
    const recorderContext = { namespace: this.namespace, targets: this.targets };
    this.retired = new RetiredTargets(
      options.retiredTargetGraceMs ?? DEFAULT_RETIRED_TARGET_GRACE_MS,
      maxTargets,
    );
    this.selfMonitor = this.addRecorder(new SelfMonitor(recorderContext));
    this.refresh = this.addRecorder(new RefreshRecorder(recorderContext));
    this.queue = this.addRecorder(new QueueRecorder(recorderContext));
    this.publisher = this.addRecorder(new PublisherRecorder(recorderContext));
    this.discovery = this.addRecorder(new DiscoveryRecorder(recorderContext));
    for (const collector of sourceCollectors(sources)) this.registerCollector(collector);
  }

  /** True while the library's series are instruments on a MeterProvider. */
  get instrumentPath(): boolean {
    return this.instruments !== undefined;
  }

  private bindInstrumentPath(
    provider: ApiMeterProvider | false | undefined,
  ): InstrumentPath | undefined {
    if (provider === false) return undefined;
    const chosen = provider ?? metrics.getMeterProvider();
    if (typeof chosen?.getMeter !== 'function') {
      throw new TypeError('meterProvider must be an OpenTelemetry MeterProvider or false');
    }
    if (isNoopMeterProvider(chosen)) {
      diag.warn(
        'otel-publishing-metrics: no MeterProvider is registered globally, so no reader will ' +
          'export the publishing metrics. Start the NodeSDK (or call ' +
          'metrics.setGlobalMeterProvider) before creating PublishingMetricsCollector, pass ' +
          'meterProvider, or use startPublishingTelemetry().',
      );
    }
    return new InstrumentPath(chosen.getMeter(SCOPE_NAME, SCOPE_VERSION));
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
    this.noteRead('snapshot');
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
    this.noteRead('snapshot');
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

  /**
   * Someone reads the series: the unread warning is moot. A producer read while the instruments
   * are registered is reported once, because a reader of that MeterProvider would export every
   * series twice (legitimate only when the producer's reader is on another provider).
   */
  private noteRead(how: 'producer' | 'snapshot'): void {
    if (this.unreadTimer !== undefined) {
      clearTimeout(this.unreadTimer);
      this.unreadTimer = undefined;
    }
    if (how === 'producer' && this.instruments !== undefined && !this.warnedTwice) {
      this.warnedTwice = true;
      diag.warn(
        'otel-publishing-metrics: collector.producer is collected while the collector also ' +
          'registered its instruments on a MeterProvider; a reader of that provider exports ' +
          'every series twice. Construct it with meterProvider: false to use the producer path only.',
      );
    }
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
    const families = this.families();
    return new MetricsSnapshot(
      new Date(),
      performance.now() - started,
      families,
      this.statuses(),
      this.namespace,
    );
  }

  /**
   * Every family, from the stores directly (a snapshot needs no OTel data points): the values are
   * copied now, the family objects built when the snapshot's families are first read.
   */
  private families(): () => Map<string, MetricFamily> {
    const stores = this.stores();
    // Every family's values go into one array: one allocation per collection.
    let length = 0;
    for (const store of stores) length += store.columnLength;
    const columns = new FamilyColumns(length);
    for (const store of stores) store.capture(columns);
    return () => {
      const families = new Map<string, MetricFamily>();
      for (let i = 0; i < columns.size; i++) {
        const family = columns.family(i);
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
    };
  }
}
