import { diag } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FleetStatsSource, StatsEntry } from '../fleet/fleet-stats.js';
import type { MaybePromise } from '../sources.js';
import { StatsAggregator } from '../stats/aggregator.js';
import { assessHealth, type HealthReportOptions } from '../stats/health-report.js';
import type { TrendsDetector } from '../stats/trends.js';
import type { SnapshotSource } from '../stats/trends-report.js';
import { bearerCheck } from './auth.js';
import { HttpError, notFound } from './errors.js';
import { hostCheck, type AllowedHosts } from './host-check.js';
import { allowOnly, decodeComponent, parseRequestUrl, type ParsedUrl } from './request-url.js';
import {
  derivedJson,
  encodeJson,
  sendEncoded,
  sendError,
  sendText,
  type EncodedJson,
} from './respond.js';
import { PROMETHEUS_CONTENT_TYPE } from '../export/prometheus-types.js';
import { StatsCache, type CachedStats } from './stats-cache.js';
import { setSecurityHeaders } from './security-headers.js';
import { STATUS_PAGE_CSP, statusPageHtml } from './status-page.js';
import { parseStatsQuery, selectTargets } from './stats-query.js';

export const DEFAULT_BASE_PATH = '/api/v2/publishing';
export const DEFAULT_CACHE_TTL_MS = 1000;
export const DEFAULT_MAX_URL_LENGTH = 4096;

/** A node:http-style handler; `next` (Express/Connect) receives requests outside its paths. */
export type StatsRequestHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (err?: unknown) => void,
) => void;

export interface StatsHandlerOptions {
  /**
   * Where snapshots come from: a PublishingMetricsCollector or anything with `collectAll()`.
   * May be omitted with `fleet` (then `/snapshot` is 404 `not_configured`).
   */
  source?: SnapshotSource;
  /**
   * Answers `/stats`, `/stats/{target}`, `/health`, `/trends` (and so the status page) for the
   * whole fleet from a Prometheus-compatible backend instead of this process's snapshots.
   */
  fleet?: FleetStatsSource;
  /** Computes the statistics; one is created with default options when absent. */
  aggregator?: StatsAggregator;
  /**
   * Answers `/trends` (404 `not_configured` without it); the snapshots it records also serve the
   * aggregator as window baselines.
   */
  trends?: TrendsDetector;
  /** Prefix of the JSON endpoints (default `/api/v2/publishing`). */
  basePath?: string;
  /** Path of the Prometheus endpoint (default `/metrics`). */
  metricsPath?: string;
  /** Produces the Prometheus text answered at `/metrics` (e.g. a PrometheusSerializer run). */
  metricsText?: () => MaybePromise<string>;
  /** Or answers `/metrics` itself, e.g. `exporter.getMetricsRequestHandler.bind(exporter)`. */
  metricsHandler?: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * Requires `Authorization: Bearer <token>` on every endpoint, `/metrics` included; only the
   * status page's HTML (which holds no data) is served without it. Must be a valid bearer token
   * (letters, digits, `-._~+/`, trailing `=`): another one could never match and is rejected.
   */
  token?: string;
  /**
   * `Host` headers answered (others get 421): `'*'`, or names (`host` or `host:port`) in
   * addition to the address a connection arrives at. Default for the handler: `'*'` (the host's
   * server decides); `startStatsServer` defaults to its bound address (DNS-rebinding protection).
   */
  allowedHosts?: AllowedHosts;
  /** How long one snapshot answers requests, milliseconds (default 1000). */
  cacheTtlMs?: number;
  /** Longer request URLs are answered 414 (default 4096 characters). */
  maxUrlLength?: number;
  /** Thresholds of the `/health` verdict. */
  health?: HealthReportOptions;
  /** Serves the HTML status page at `{base}/` (default true). */
  statusPage?: boolean;
  /** How often the status page polls, milliseconds (default 5000). */
  statusPageRefreshMs?: number;
}

type Route = (req: IncomingMessage, res: ServerResponse, url: ParsedUrl) => Promise<void>;

function normalizeBase(path: string): string {
  if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/.test(path)) {
    throw new Error(`basePath '${path}' must be an absolute path of unreserved URL characters`);
  }
  return path.replace(/\/+$/, '');
}

/**
 * The stats API as one request handler for node:http, Express (`app.use(handler)`) and Fastify
 * (`reply.hijack(); handler(request.raw, reply.raw)`). It answers from a short-lived cached
 * snapshot and turns every failure into a JSON error; nothing a client sends reaches a 500.
 */
export function createStatsHandler(options: StatsHandlerOptions): StatsRequestHandler {
  const fleet = options?.fleet;
  const local = options?.source;
  if (typeof local?.collectAll !== 'function' && (fleet === undefined || local !== undefined)) {
    throw new TypeError('createStatsHandler needs a source with collectAll() (or a fleet source)');
  }
  const base = normalizeBase(options.basePath ?? DEFAULT_BASE_PATH);
  const metricsPath = options.metricsPath ?? '/metrics';
  const maxUrlLength = options.maxUrlLength ?? DEFAULT_MAX_URL_LENGTH;
  const aggregator = options.aggregator ?? new StatsAggregator();
  const trends = options.trends;
  // Trends snapshots double as window baselines, so window figures exist before the first
  // request. Observing a snapshot twice is harmless: states closer than the spacing are skipped.
  trends?.onRecord((snapshot) => aggregator.observe(snapshot));
  const cache = new StatsCache(
    local ?? { collectAll: () => Promise.reject(notFound('no local source', 'not_configured')) },
    aggregator,
    options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS,
  );
  const authorize = options.token === undefined ? undefined : bearerCheck(options.token);
  const checkHost = hostCheck(options.allowedHosts);
  const servesPage = options.statusPage !== false;

  const json = async <E extends StatsEntry>(
    req: IncomingMessage,
    res: ServerResponse,
    key: string,
    render: (entry: E) => { status: number; body: string },
    load: () => Promise<E> = () => (fleet?.get() ?? cache.get()) as Promise<E>,
  ) => {
    let entry: E;
    try {
      entry = await load();
    } catch (err) {
      // The fleet's 503 names the backend's failure; a missing local source is a 404.
      if (err instanceof HttpError) throw err;
      diag.warn('otel-publishing-metrics: stats API could not collect metrics', err);
      throw new HttpError(503, 'unavailable', 'metrics collection failed; try again');
    }
    const answer = entry.memo(key, () => {
      const { status, body } = render(entry);
      return encodeJson(status, body);
    });
    sendEncoded(req, res, answer);
  };

  let trendsAnswer: { report: object; answer: EncodedJson } | undefined;
  const page = statusPageHtml(
    options.statusPageRefreshMs ?? 5000,
    trends !== undefined || fleet !== undefined,
  );
  const statusPage: Route = async (req, res, url) => {
    allowOnly(url.query, []);
    if (options.statusPage === false)
      throw notFound('the status page is disabled', 'not_configured');
    res.setHeader('Content-Security-Policy', STATUS_PAGE_CSP);
    sendText(req, res, page, 'text/html; charset=utf-8');
  };

  const routes: Record<string, Route> = {
    '': statusPage,
    '/': statusPage,
    '/snapshot': (req, res, url) => {
      allowOnly(url.query, []);
      return json(
        req,
        res,
        'snapshot',
        (e: CachedStats) => ({ status: 200, body: JSON.stringify(e.snapshot.toJSON()) }),
        () => cache.get(),
      );
    },
    '/stats': (req, res, url) => {
      const q = parseStatsQuery(url.query);
      const key = `stats ${JSON.stringify(q)}`;
      return json(req, res, key, (e) => {
        const { total, page } = selectTargets(e.stats.targets, q);
        const { source, fleet: replicas, timestamp, window, system } = e.stats;
        return {
          status: 200,
          body: derivedJson({
            source,
            fleet: replicas,
            timestamp,
            window,
            system,
            targets: page,
            total,
            limit: q.limit,
            offset: q.offset,
          }),
        };
      });
    },
    '/health': (req, res, url) => {
      allowOnly(url.query, []);
      return json(req, res, 'health', (e) => {
        const report = assessHealth(e.stats, options.health);
        return { status: report.status === 'healthy' ? 200 : 503, body: derivedJson(report) };
      });
    },
    '/trends': async (req, res, url) => {
      allowOnly(url.query, []);
      if (fleet !== undefined) return sendEncoded(req, res, await fleet.trendsAnswer());
      if (trends === undefined) {
        throw notFound('trends are not enabled on this server', 'not_configured');
      }
      // Trends come from their own recorded points, not from the request snapshot; the report
      // object changes only when a point is recorded, so its body is encoded once per point.
      const report = trends.report();
      if (report !== trendsAnswer?.report) {
        trendsAnswer = { report, answer: encodeJson(200, derivedJson(report)) };
      }
      sendEncoded(req, res, trendsAnswer.answer);
    },
  };

  const targetRoute = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: ParsedUrl,
    encodedName: string,
  ) => {
    allowOnly(url.query, []);
    const name = decodeComponent(encodedName, 'target name');
    await json(req, res, `target ${name}`, (e) => {
      const target = e.stats.targets.find((t) => t.name === name);
      // Thrown, so the miss is not memoised as a body.
      if (target === undefined) {
        throw notFound(`unknown target '${name.slice(0, 200)}'`, 'target_not_found');
      }
      const { source, timestamp, window } = e.stats;
      return { status: 200, body: derivedJson({ source, timestamp, window, target }) };
    });
  };

  const metrics = async (req: IncomingMessage, res: ServerResponse) => {
    if (options.metricsHandler !== undefined) {
      options.metricsHandler(req, res);
      return;
    }
    if (options.metricsText === undefined) {
      throw notFound('no Prometheus exposition is configured', 'not_configured');
    }
    let text: string;
    try {
      text = await options.metricsText();
    } catch (err) {
      diag.warn('otel-publishing-metrics: /metrics could not be produced', err);
      throw new HttpError(503, 'unavailable', 'metrics exposition failed; try again');
    }
    sendText(req, res, text, PROMETHEUS_CONTENT_TYPE);
  };

  const dispatch = async (
    req: IncomingMessage,
    res: ServerResponse,
    next: ((err?: unknown) => void) | undefined,
  ) => {
    const url = parseRequestUrl(req.url, maxUrlLength);
    const path = url.rawPath;
    const isMetrics = path === metricsPath;
    const isOurs = isMetrics || path === base || path.startsWith(`${base}/`);
    if (!isOurs) {
      if (next !== undefined) return next();
      throw notFound(`no endpoint at ${path.slice(0, 200)}`);
    }
    setSecurityHeaders(res);
    checkHost?.(req);
    // The page's HTML holds no data and a browser cannot add a header to a navigation: it is
    // served without the token and sends the one it is given with each of its requests.
    const isPage = servesPage && (path === base || path === `${base}/`);
    if (!isPage) authorize?.(req);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(
        405,
        'method_not_allowed',
        `${String(req.method).slice(0, 20)} is not allowed; use GET or HEAD`,
        {
          Allow: 'GET, HEAD',
        },
      );
    }
    if (isMetrics) return metrics(req, res);
    const rest = path.slice(base.length);
    const route = routes[rest];
    if (route !== undefined) return route(req, res, url);
    if (rest.startsWith('/stats/')) return targetRoute(req, res, url, rest.slice('/stats/'.length));
    throw notFound(`no endpoint at ${path.slice(0, 200)}`);
  };

  return (req, res, next) => {
    dispatch(req, res, next).catch((err: unknown) => {
      if (err instanceof HttpError) {
        sendError(req, res, err);
        return;
      }
      // A bug of ours, not the client's: logged with detail, answered without any.
      diag.error('otel-publishing-metrics: stats API request failed', err);
      sendError(req, res, new HttpError(500, 'internal_error', 'internal error'));
    });
  };
}
