/**
 * What every publisher does: deliver one alert to its target over HTTP and answer a health probe.
 * The base class owns the shared part of a delivery attempt: credentials, the deadline, recording
 * the request and classifying a failure into a PublishError the retry loop understands.
 */
import type { Alert } from '../pipeline/alert.js';
import type { TargetAuth, TargetConfig } from '../pipeline/target-config.js';
import {
  classifyPublishError,
  type PublisherErrorReason,
  type PublisherRecorder,
  type Recorders,
} from '../recorders.js';
import type { TargetKind } from '../target-kinds.js';
import { httpRequest, type HttpRequest, type HttpResponse } from './http-client.js';
import { PublishError, parseRetryAfter } from './publish-error.js';
import type { RootlyIncidents } from './rootly-incidents.js';
import type { SlackMessageCache } from './slack-message-cache.js';

export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface Publisher {
  readonly kind: TargetKind;
  readonly target: TargetConfig;
  /** Delivers one alert; throws PublishError when the attempt failed. */
  publish(alert: Alert, signal?: AbortSignal): Promise<void>;
  /** One lightweight request that tells whether the target is reachable and usable. */
  probe(timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult>;
}

/** State shared by all publishers of a pipeline. */
export interface PublisherContext {
  /** The pipeline's recorder container (its members are swapped when telemetry is wired). */
  recorders: Recorders;
  requestTimeoutMs: number;
  slackCache: SlackMessageCache;
  rootlyIncidents: RootlyIncidents;
}

type SendRequest = Omit<HttpRequest, 'timeoutMs' | 'url'> & { path?: string };

export abstract class HttpPublisher implements Publisher {
  abstract readonly kind: TargetKind;

  constructor(
    readonly target: TargetConfig,
    protected readonly context: PublisherContext,
  ) {}

  abstract publish(alert: Alert, signal?: AbortSignal): Promise<void>;
  abstract probe(timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult>;

  protected get recorder(): PublisherRecorder {
    return this.context.recorders.publisher;
  }

  /** One recorded request; resolves with a 2xx response, throws a classified PublishError otherwise. */
  protected async send(request: SendRequest): Promise<HttpResponse> {
    const outcome = await httpRequest(this.toHttpRequest(request, this.context.requestTimeoutMs));
    const { kind } = this;
    const name = this.target.name;
    if (!outcome.ok) {
      this.recorder.recordRequest(kind, name, 'error', outcome.durationSeconds);
      const reason = classifyPublishError(outcome.error) ?? 'network';
      throw this.fail(reason, describeTransportError(outcome.error), { cause: outcome.error });
    }
    const { response } = outcome;
    this.recorder.recordRequest(kind, name, response.status, outcome.durationSeconds);
    const reason = classifyPublishError(response.status);
    if (reason === undefined) return response;
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    throw this.fail(reason, `HTTP ${response.status}`, {
      status: response.status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }

  /** Records a failure (also one the publisher found itself, e.g. a malformed 2xx body) and returns it to throw. */
  protected fail(
    reason: PublisherErrorReason,
    message: string,
    details: ConstructorParameters<typeof PublishError>[2] = {},
  ): PublishError {
    const name = this.target.name;
    this.recorder.recordError(this.kind, name, reason);
    if (reason === 'rateLimited') this.recorder.recordRateLimitHit(this.kind, name);
    if (reason === 'authError') this.onAuthFailure();
    return new PublishError(reason, `${this.kind} ${name}: ${message}`, details);
  }

  /** Hook for kinds that count credential rejections separately (webhooks). */
  protected onAuthFailure(): void {}

  /** A health probe: not recorded as a publishing request; healthy when `accept` says so. */
  protected async probeWith(
    request: SendRequest,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    accept: (response: HttpResponse) => boolean,
  ): Promise<ProbeResult> {
    const outcome = await httpRequest(
      this.toHttpRequest({ ...request, ...(signal ? { signal } : {}) }, timeoutMs),
    );
    const latencyMs = outcome.durationSeconds * 1000;
    if (!outcome.ok) return { ok: false, latencyMs, error: describeTransportError(outcome.error) };
    if (!accept(outcome.response))
      return { ok: false, latencyMs, error: `HTTP ${outcome.response.status}` };
    return { ok: true, latencyMs };
  }

  private toHttpRequest(request: SendRequest, timeoutMs: number): HttpRequest {
    const { path, ...rest } = request;
    return {
      ...rest,
      // Appended, not resolved: a base such as https://proxy.example/slack keeps its own path.
      url: path === undefined ? this.target.url : this.target.url.replace(/\/+$/, '') + path,
      headers: { ...authHeaders(this.target.auth), ...request.headers },
      timeoutMs,
    };
  }
}

export function authHeaders(auth: TargetAuth | undefined): Record<string, string> {
  if (auth?.type === 'bearer') return { authorization: `Bearer ${auth.token}` };
  if (auth?.type === 'basic') {
    return {
      authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
    };
  }
  return {};
}

/** "ECONNREFUSED", "timeout after …": the useful part of a fetch failure. */
export function describeTransportError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'timed out';
  const cause = error.cause;
  if (
    typeof cause === 'object' &&
    cause !== null &&
    'code' in cause &&
    typeof cause.code === 'string'
  )
    return cause.code;
  return error.message;
}
