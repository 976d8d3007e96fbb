/**
 * Fleet statistics: `/stats`, `/stats/{target}`, `/health` and `/trends` for every replica of a
 * service at once, computed from a Prometheus-compatible query API instead of this process's
 * snapshots. The backend does the aggregation over replicas (one combined query per answer);
 * the library's own target-stats, system-stats, health-score and trends code turns the result
 * into the same JSON a single replica answers, with `source: "prometheus"`.
 */
import { DEFAULT_NAMESPACE } from '../catalog.js';
import { HttpError } from '../http/errors.js';
import { AnswerMemo } from '../http/answer-memo.js';
import { derivedJson, encodeJson, type EncodedJson } from '../http/respond.js';
import type { HistogramValue } from '../snapshot/histogram.js';
import type { Series } from '../snapshot/snapshot.js';
import { DEFAULT_STATS_WINDOW_MS, windowStats, type PublishingStats } from '../stats/aggregator.js';
import { captureState, type CumulativeState } from '../stats/deltas.js';
import { resolveSlo, type Slo, type SloOptions } from '../stats/health-score.js';
import type { TrendsReport } from '../stats/trends-report.js';
import {
  checkLabelName,
  checkMatchers,
  FLEET_COUNTERS,
  FLEET_GAUGES,
  FleetQueries,
  LATENCY_HISTOGRAM,
} from './fleet-queries.js';
import {
  bucketHistograms,
  collectorStatuses,
  family,
  finiteSeries,
  snapshotOf,
  splitParts,
  targetOf,
} from './fleet-snapshot.js';
import { fleetTrends, type FleetTrendsOptions } from './fleet-trends.js';
import { BackendError, createQueryClient, type QueryClient } from './query-client.js';

/** How long one fleet answer serves requests, and the grid its evaluation time is aligned to. */
export const DEFAULT_FLEET_CACHE_TTL_MS = 5000;
/**
 * How far behind the clock answers are evaluated. A scraped sample is stamped when its scrape
 * starts and stored when the scrape ends, so "now" lacks the replicas whose scrape is still
 * running: evaluated at the current second, three replicas asked the same instant disagreed by
 * 0.3 % of their job totals (measured). 10 s covers Prometheus' default scrape timeout.
 */
export const DEFAULT_FLEET_EVALUATION_DELAY_MS = 10_000;

export interface FleetStatsOptions {
  /** Base URL of the query API, e.g. `http://127.0.0.1:9090`. Or pass `client`. */
  url?: string;
  /** A query client of your own (tests, custom transports). */
  client?: QueryClient;
  /** Deadline of one backend query, milliseconds (default 3000): past it, answers are 503. */
  timeoutMs?: number;
  /** Extra request headers for the backend (`Authorization`, `X-Scope-OrgID`, ...). */
  headers?: Record<string, string>;
  /** Metric-name prefix (default `alert_history_publishing`). */
  namespace?: string;
  /**
   * Label matchers that select this service's replicas, e.g. `job="alert-publisher"` (default
   * none: every series of the namespace in the backend).
   */
  matchers?: string;
  /** The label that tells replicas apart (default `instance`). */
  instanceLabel?: string;
  /** Window of rates, percentiles and deltas, milliseconds (default 5 minutes, as locally). */
  windowMs?: number;
  /** Score thresholds and weights (the same options as locally). */
  slo?: SloOptions;
  /**
   * How long one answer is reused, milliseconds (default 5000). Evaluation times are aligned to
   * this grid, so every replica asked within the same slot computes the identical answer.
   */
  cacheTtlMs?: number;
  /**
   * How far behind the clock figures are evaluated, milliseconds (default 10 000): at least the
   * scrape timeout (or OTLP push interval plus ingestion delay) of the replicas.
   */
  evaluationDelayMs?: number;
  /** Trend windows and thresholds; `intervalMs` is the range-query step (default 60 s). */
  trends?: FleetTrendsOptions;
  /** Clock, Unix milliseconds (tests). */
  now?: () => number;
}

/** What the stats API's JSON endpoints read: statistics and a per-key memo of encoded answers. */
export interface StatsEntry {
  readonly stats: PublishingStats;
  memo(key: string, make: () => EncodedJson): EncodedJson;
}

class FleetEntry extends AnswerMemo implements StatsEntry {
  constructor(
    readonly stats: PublishingStats,
    /** Evaluation time, Unix milliseconds (the cache slot). */
    readonly at: number,
  ) {
    super();
  }
}

/** A value computed once per time slot and shared by concurrent callers; failures not kept. */
class SlotCache<T extends { at: number }> {
  private current: T | undefined;
  private inflight: { at: number; promise: Promise<T> } | undefined;

  get(at: number, load: (at: number) => Promise<T>): Promise<T> {
    if (this.current !== undefined && this.current.at >= at) return Promise.resolve(this.current);
    if (this.inflight !== undefined && this.inflight.at >= at) return this.inflight.promise;
    const promise = load(at).then((value) => {
      if (this.current === undefined || value.at >= this.current.at) this.current = value;
      return value;
    });
    const flight = { at, promise };
    this.inflight = flight;
    const clear = () => {
      if (this.inflight === flight) this.inflight = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }
}

/** A backend failure as the HTTP answer: 503 with the reason, never a 500. */
function unavailable(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const reason =
    err instanceof BackendError
      ? `${err.message} (${err.kind})`
      : `the answer could not be used (${String((err as Error)?.message ?? err).slice(0, 200)})`;
  return new HttpError(503, 'backend_unavailable', `fleet stats unavailable: ${reason}`, {
    'Retry-After': '5',
  });
}

/**
 * Statistics of the whole fleet from a Prometheus-compatible backend. Hand it to
 * `createStatsHandler({ fleet })` / `startStatsServer({ fleet })`, or call `stats()` directly.
 */
export class FleetStatsSource {
  readonly windowMs: number;
  readonly slo: Slo;
  readonly cacheTtlMs: number;
  readonly evaluationDelayMs: number;
  private readonly client: QueryClient;
  private readonly queries: FleetQueries;
  private readonly namespace: string;
  private readonly instanceLabel: string;
  private readonly trendsOptions: FleetTrendsOptions;
  private readonly now: () => number;
  private readonly statsCache = new SlotCache<FleetEntry>();
  private readonly trendsCache = new SlotCache<{
    at: number;
    report: TrendsReport;
    answer: EncodedJson;
  }>();

  constructor(options: FleetStatsOptions) {
    if (options.client === undefined && options.url === undefined) {
      throw new TypeError('FleetStatsSource needs the url of a query API (or a client)');
    }
    this.client =
      options.client ??
      createQueryClient({
        url: options.url!,
        timeoutMs: options.timeoutMs,
        headers: options.headers,
      });
    this.windowMs = options.windowMs ?? DEFAULT_STATS_WINDOW_MS;
    if (!(this.windowMs >= 1000) || !Number.isFinite(this.windowMs)) {
      throw new RangeError(`windowMs must be at least 1000, got ${this.windowMs}`);
    }
    this.slo = resolveSlo(options.slo);
    this.cacheTtlMs = options.cacheTtlMs ?? DEFAULT_FLEET_CACHE_TTL_MS;
    if (!(this.cacheTtlMs >= 1) || !Number.isFinite(this.cacheTtlMs)) {
      throw new RangeError(`cacheTtlMs must be at least 1, got ${this.cacheTtlMs}`);
    }
    this.evaluationDelayMs = options.evaluationDelayMs ?? DEFAULT_FLEET_EVALUATION_DELAY_MS;
    if (!(this.evaluationDelayMs >= 0) || !Number.isFinite(this.evaluationDelayMs)) {
      throw new RangeError(`evaluationDelayMs must be 0 or more, got ${this.evaluationDelayMs}`);
    }
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    this.instanceLabel = checkLabelName(options.instanceLabel ?? 'instance');
    this.queries = new FleetQueries({
      namespace: this.namespace,
      matchers: checkMatchers(options.matchers ?? ''),
      instanceLabel: this.instanceLabel,
    });
    this.trendsOptions = options.trends ?? {};
    this.now = options.now ?? Date.now;
    // Fail at construction, not at the first request, on bad trend settings.
    fleetTrends.check(this.trendsOptions);
  }

  /** The current cache slot: evaluation time in Unix milliseconds. */
  private slot(): number {
    const at = this.now() - this.evaluationDelayMs;
    return Math.floor(at / this.cacheTtlMs) * this.cacheTtlMs;
  }

  /** The PromQL of one `/stats` answer, run in parallel (also what docs/fleet.md shows). */
  statsQueries(): string[] {
    return this.queries.stats(Math.round(this.windowMs / 1000));
  }

  /** Fleet statistics at the current slot; rejects with a {@link BackendError} or parse error. */
  async stats(): Promise<PublishingStats> {
    return (await this.statsCache.get(this.slot(), (at) => this.compute(at))).stats;
  }

  /** For the stats API: the entry of the current slot, or a 503 HttpError with the reason. */
  async get(): Promise<StatsEntry> {
    try {
      return await this.statsCache.get(this.slot(), (at) => this.compute(at));
    } catch (err) {
      throw unavailable(err);
    }
  }

  /** Fleet trends from range queries (`source: "prometheus"`). */
  async trends(): Promise<TrendsReport> {
    return (await this.trendsEntry()).report;
  }

  /** For the stats API: the encoded `/trends` answer, or a 503 HttpError with the reason. */
  async trendsAnswer(): Promise<EncodedJson> {
    try {
      return (await this.trendsEntry()).answer;
    } catch (err) {
      throw unavailable(err);
    }
  }

  private trendsEntry() {
    return this.trendsCache.get(this.slot(), async (at) => {
      const report = await fleetTrends.compute(
        this.client,
        this.queries,
        this.namespace,
        this.trendsOptions,
        at,
      );
      return { at, report, answer: encodeJson(200, derivedJson(report)) };
    });
  }

  private async compute(at: number): Promise<FleetEntry> {
    const windowSeconds = Math.round(this.windowMs / 1000);
    const answers = await Promise.all(
      this.statsQueries().map((q) => this.client.query(q, at / 1000)),
    );
    const parts = splitParts(answers.flat());
    const ns = this.namespace;

    // Bucket counts only: the statistics need no latency sum, and its query costs as much again.
    const histograms = bucketHistograms(parts.get('latency') ?? [], targetOf);
    const latency: Array<Series<HistogramValue>> = [...histograms].map(([target, value]) => ({
      labels: { target },
      value,
    }));
    const families = [
      ...FLEET_COUNTERS.map((c) => family(c.name, ns, finiteSeries(parts.get(c.name)))),
      family(LATENCY_HISTOGRAM, ns, latency),
      ...FLEET_GAUGES.map((g) => family(g.name, ns, finiteSeries(parts.get(g.name)))),
    ];
    const snapshot = snapshotOf(
      new Date(at),
      ns,
      families,
      collectorStatuses(parts, this.instanceLabel),
    );

    // The snapshot's counters already are the window's increases: the baseline is zero.
    const current = captureState(snapshot);
    const before = finiteSeries(parts.get('dlq_before'))[0]?.value;
    const baseline: CumulativeState = {
      at: at - windowSeconds * 1000,
      counters: new Map(),
      histograms: new Map(),
      dlqTotal: before,
    };
    const { targets, system } = windowStats(snapshot, current, baseline, this.slo);
    // No DLQ data a window ago: the change is unknown, not "everything".
    if (before === undefined) system.dlq.change = null;
    const replicas = finiteSeries(parts.get('replicas'))[0]?.value ?? 0;
    const stats: PublishingStats = {
      source: 'prometheus',
      fleet: { replicas },
      timestamp: new Date(at).toISOString(),
      window: {
        requestedSeconds: windowSeconds,
        seconds: windowSeconds,
        from: new Date(baseline.at).toISOString(),
        to: new Date(at).toISOString(),
        basis: 'window',
      },
      system,
      targets,
    };
    return new FleetEntry(stats, at);
  }
}

export type { FleetTrendsOptions };
