import { redactCredentials, redactUrl } from './redact-url.js';
import type {
  AggregationOption,
  AggregationTemporality,
  InstrumentType,
  PushMetricExporter,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

type ExportResult = Parameters<Parameters<PushMetricExporter['export']>[1]>[0];
/** `ExportResultCode.SUCCESS`/`FAILED` of @opentelemetry/core, which is not a peer dependency. */
const SUCCESS = 0;
const FAILED = 1;

/** Resolves after `ms` with `value`; the timer never keeps the process alive. */
function after<T>(ms: number, value: T): { promise: Promise<T>; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(value), ms);
    timer.unref();
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** Where export problems are reported: `console`, pino and winston loggers all fit. */
export interface TelemetryLogger {
  warn(message: string): void;
  info?(message: string): void;
}

/**
 * Wraps an OTLP exporter so a failing endpoint is visible without flooding the log: one line per
 * failed export (the OTLP exporter's own retries inside one export stay silent), one line when
 * exports succeed again. The SDK reports failures only through `diag`, which is a no-op unless
 * the host installs a diag logger, so without this a misconfigured endpoint goes unnoticed.
 *
 * After `seal()` exports are answered at once without sending: the final flush has been sent and
 * the reader's own flush during shutdown must not repeat it (nor wait on a dead endpoint twice).
 *
 * Every export, `forceFlush()` and `shutdown()` is bounded by `timeoutMs`: an export not answered
 * by then is reported failed (the request itself is abandoned by the deadline agent, which frees
 * the exporter's concurrency slot), and a flush or shutdown still waiting on such a request
 * resolves at the timeout, so the host's shutdown never waits on the endpoint for longer.
 */
export class ReportingExporter implements PushMetricExporter {
  private consecutiveFailures = 0;
  private sealed = false;

  constructor(
    private readonly inner: PushMetricExporter,
    private readonly url: string,
    private readonly logger: TelemetryLogger | undefined,
    private readonly timeoutMs: number,
  ) {
    this.shownUrl = redactUrl(url);
  }

  /** The endpoint as log lines show it: credentials in the URL are not copied into logs. */
  private readonly shownUrl: string;

  /** Failed exports since the last successful one. */
  get failures(): number {
    return this.consecutiveFailures;
  }

  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    if (this.sealed) {
      done({ code: SUCCESS });
      return;
    }
    let settled = false;
    const settle = (result: ExportResult) => {
      if (settled) return;
      settled = true;
      deadline.cancel();
      this.report(result);
      done(result);
    };
    const deadline = after(this.timeoutMs, undefined);
    void deadline.promise.then(() =>
      settle({
        code: FAILED,
        error: new Error(`export not answered within the timeout (${this.timeoutMs} ms)`),
      }),
    );
    this.inner.export(metrics, settle);
  }

  seal(): void {
    this.sealed = true;
  }

  forceFlush(): Promise<void> {
    return this.bounded(this.inner.forceFlush());
  }

  shutdown(): Promise<void> {
    return this.bounded(this.inner.shutdown());
  }

  /** `work`, or nothing more to wait for after the timeout (a rejection is the SDK's to log). */
  private async bounded(work: Promise<void>): Promise<void> {
    const timeout = after(this.timeoutMs, undefined);
    try {
      await Promise.race([work, timeout.promise]);
    } finally {
      timeout.cancel();
    }
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.inner.selectAggregationTemporality!(instrumentType);
  }

  selectAggregation(instrumentType: InstrumentType): AggregationOption {
    return this.inner.selectAggregation!(instrumentType);
  }

  private report(result: ExportResult): void {
    if (result.code === SUCCESS) {
      if (this.consecutiveFailures > 0) {
        this.logger?.info?.(
          `otel-publishing-metrics: OTLP metrics export to ${this.shownUrl} recovered after ${this.consecutiveFailures} failed export(s)`,
        );
      }
      this.consecutiveFailures = 0;
      return;
    }
    this.consecutiveFailures++;
    const reason = redactCredentials(result.error?.message ?? 'unknown error', this.url);
    this.logger?.warn(
      `otel-publishing-metrics: OTLP metrics export to ${this.shownUrl} failed (${this.consecutiveFailures} in a row): ${reason}`,
    );
  }
}
