import type {
  AggregationOption,
  AggregationTemporality,
  InstrumentType,
  PushMetricExporter,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

type ExportResult = Parameters<Parameters<PushMetricExporter['export']>[1]>[0];
/** `ExportResultCode.SUCCESS` of @opentelemetry/core, which is not a peer dependency. */
const SUCCESS = 0;

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
 */
export class ReportingExporter implements PushMetricExporter {
  private consecutiveFailures = 0;
  private sealed = false;

  constructor(
    private readonly inner: PushMetricExporter,
    private readonly url: string,
    private readonly logger: TelemetryLogger | undefined,
  ) {}

  /** Failed exports since the last successful one. */
  get failures(): number {
    return this.consecutiveFailures;
  }

  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    if (this.sealed) {
      done({ code: SUCCESS });
      return;
    }
    this.inner.export(metrics, (result) => {
      this.report(result);
      done(result);
    });
  }

  seal(): void {
    this.sealed = true;
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
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
          `otel-publishing-metrics: OTLP metrics export to ${this.url} recovered after ${this.consecutiveFailures} failed export(s)`,
        );
      }
      this.consecutiveFailures = 0;
      return;
    }
    this.consecutiveFailures++;
    const reason = result.error?.message ?? 'unknown error';
    this.logger?.warn(
      `otel-publishing-metrics: OTLP metrics export to ${this.url} failed (${this.consecutiveFailures} in a row): ${reason}`,
    );
  }
}
