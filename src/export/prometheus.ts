import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { MetricProducer, MetricReader } from '@opentelemetry/sdk-metrics';
import { bearerVerifier } from '../http/auth.js';
import { writeChunkedBody } from './chunked-body.js';
import { SCRAPE_PACER } from './pacer.js';
import { PrometheusReader } from './prometheus-reader.js';
import { PrometheusTextSerializer } from './prometheus-text.js';
import { PROMETHEUS_CONTENT_TYPE, type MetricsHandler } from './prometheus-types.js';
import { onResponseDone } from './response-done.js';
import { CollectionFailed, SharedScrape, type EncodedScrape } from './shared-scrape.js';

/**
 * Scrapes in progress (waiting for the shared body or being written) per endpoint; beyond it a
 * request is answered 503 with `Retry-After: 1` at once. One in progress costs its request and
 * response objects and a reference to the shared body (measured 1–7 KiB each), so the cap bounds
 * the endpoint's memory whatever a client pipelines or however many connect (a mounted handler
 * has no connection cap of ours). Prometheus sends one scrape per target at a time.
 */
export const MAX_SCRAPES_IN_PROGRESS = 2048;

export interface PrometheusEndpointOptions {
  withoutScopeInfo: boolean;
  withoutTargetInfo: boolean;
  /** The producer path: the library's series reach this endpoint's reader through these. */
  metricProducers?: MetricProducer[];
  /** When set, every request must send `Authorization: Bearer <token>` (else 401). */
  token?: string;
  /** Default {@link MAX_SCRAPES_IN_PROGRESS}. */
  maxScrapesInProgress?: number;
}

export interface PrometheusEndpoint {
  /** The reader: register it with the MeterProvider (and attach it). */
  readonly reader: MetricReader;
  readonly handler: MetricsHandler;
  /**
   * The shared collection behind the handler: how many ran, scrapes in progress, bodies held by
   * responses being written, and scrapes answered with a held body because of that cap.
   */
  readonly scrapes: {
    readonly collections: number;
    readonly inProgress: number;
    readonly liveBodies: number;
    readonly reusedBodies: number;
  };
}

/**
 * Characters per piece of a body (the pieces end after a whole data point). A body of one piece
 * is answered with a Content-Length; a larger one with chunked transfer encoding.
 */
const CHUNK_CHARS = 64 * 1024;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A short text answer with its length (a pipelined answer without one would be chunked). */
function plainText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Readonly<Record<string, string | number>> = {},
): void {
  res.writeHead(status, {
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function unavailable(res: ServerResponse, message: string, retryAfter?: number): void {
  if (res.headersSent || res.destroyed) return;
  plainText(
    res,
    503,
    `${message}\n`,
    retryAfter !== undefined ? { 'retry-after': retryAfter } : {},
  );
}

/** Answers the shared body: in one piece with its length when it is small, chunked otherwise. */
function respond(req: IncomingMessage, res: ServerResponse, body: EncodedScrape): void {
  const single = body.pieces.length <= 1;
  const headers: Record<string, string | number> = { 'content-type': PROMETHEUS_CONTENT_TYPE };
  // HEAD of a large body: no Content-Length, as its GET would have none either.
  if (single) headers['content-length'] = body.bytes;
  res.writeHead(200, headers);
  if (req.method === 'HEAD' || body.pieces.length === 0) {
    res.end();
    return;
  }
  if (single) {
    res.end(body.pieces[0]);
    return;
  }
  // Each response walks the shared pieces; it holds references, never copies.
  void writeChunkedBody(res, sharedPieces(req, res, body.pieces), SCRAPE_PACER);
}

/**
 * The pieces in order, forgotten once the response is done or its connection gone: node keeps a
 * queued pipelined response (and the write deadline's timer keeps it) after its connection closed,
 * and through its waiting writer it would keep the whole body.
 */
function sharedPieces(
  req: IncomingMessage,
  res: ServerResponse,
  all: readonly Buffer[],
): Iterator<Buffer> {
  let pieces: readonly Buffer[] | undefined = all;
  let next = 0;
  onResponseDone(req, res, () => (pieces = undefined));
  return {
    next: () =>
      pieces !== undefined && next < pieces.length
        ? { done: false, value: pieces[next++]! }
        : { done: true, value: undefined },
    return: () => {
      pieces = undefined;
      return { done: true, value: undefined };
    },
  };
}

/**
 * A reader without a server of its own (`collect()` per collection), and a handler around it
 * serializing with our own Prometheus text serializer (exporter-prometheus's output, byte for
 * byte, at a fraction of its cost; that package is not needed at run time). The handler answers with the
 * versioned content type, 401 without the token when one is set, 405 for methods other than
 * GET/HEAD, and 503 when the collection fails (the exporter's own handler answers 200 with a
 * comment, which Prometheus would store as an empty scrape instead of marking the target down).
 * Scrapes that arrive together share one collection and one encoded body (`SharedScrape`); a large
 * body is written in pieces, paced with every other response, as each socket takes them.
 */
export async function createPrometheusEndpoint(
  options: PrometheusEndpointOptions,
): Promise<PrometheusEndpoint> {
  const reader = new PrometheusReader(options.metricProducers);
  const serializer = new PrometheusTextSerializer(options);
  const verify =
    options.token !== undefined
      ? bearerVerifier(options.token, { option: 'prometheus.token', realm: 'publishing-metrics' })
      : undefined;
  const maxInProgress = options.maxScrapesInProgress ?? MAX_SCRAPES_IN_PROGRESS;
  const shared = new SharedScrape(
    () => reader.collect(),
    ({ resourceMetrics }) => serializer.chunks(resourceMetrics, CHUNK_CHARS),
    SCRAPE_PACER,
  );
  let inProgress = 0;
  // The collection whose errors were logged (a number: a body must not be kept for it).
  let lastReported = 0;

  const handler: MetricsHandler = (req, res) => {
    const refusal = verify?.(req.headers.authorization);
    if (refusal !== undefined) {
      plainText(res, refusal.status, `${refusal.message}\n`, refusal.headers);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (inProgress >= maxInProgress) {
      unavailable(res, `${inProgress} scrapes in progress, try again`, 1);
      return;
    }
    inProgress++;
    onResponseDone(req, res, () => inProgress--);
    shared.body().then(
      (body) => {
        if (body.errors.length > 0 && body.collection !== lastReported) {
          lastReported = body.collection;
          diag.warn(
            'otel-publishing-metrics: errors during a Prometheus collection',
            ...body.errors,
          );
        }
        // The client went away during the collection: nothing to answer.
        if (res.destroyed) return;
        // Held until the response is done or its connection is gone (write deadline included).
        onResponseDone(req, res, shared.hold(body));
        respond(req, res, body);
      },
      (err: unknown) => {
        if (err instanceof CollectionFailed) {
          unavailable(res, `metrics collection failed: ${errorMessage(err.reason)}`);
        } else {
          diag.error('otel-publishing-metrics: Prometheus serialization failed', err);
          unavailable(res, `metrics serialization failed: ${errorMessage(err)}`);
        }
      },
    );
  };
  return {
    reader,
    handler,
    scrapes: {
      get collections() {
        return shared.collections;
      },
      get inProgress() {
        return inProgress;
      },
      get liveBodies() {
        return shared.liveBodies;
      },
      get reusedBodies() {
        return shared.reusedBodies;
      },
    },
  };
}
