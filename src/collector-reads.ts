import { diag } from '@opentelemetry/api';

/** How long after start an unread producer-path collector reports that nothing reads it. */
const UNREAD_WARNING_MS = 60_000;

/**
 * Watches how the registry's series are read, to warn about the two ways of wiring it wrong: on
 * the producer path, nothing reading them a minute after start; with the instruments registered,
 * the producer read as well (a reader of that MeterProvider then exports every series twice).
 */
export class ReadWatch {
  private unreadTimer: ReturnType<typeof setTimeout> | undefined;
  private warnedTwice = false;

  constructor(private readonly instrumentPath: boolean) {
    if (instrumentPath) return;
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

  /**
   * Someone reads the series: the unread warning is moot. A producer read while the instruments
   * are registered is reported once, because a reader of that MeterProvider would export every
   * series twice (legitimate only when the producer's reader is on another provider).
   */
  noteRead(how: 'producer' | 'snapshot'): void {
    if (this.unreadTimer !== undefined) {
      clearTimeout(this.unreadTimer);
      this.unreadTimer = undefined;
    }
    if (how === 'producer' && this.instrumentPath && !this.warnedTwice) {
      this.warnedTwice = true;
      diag.warn(
        'otel-publishing-metrics: collector.producer is collected while the collector also ' +
          'registered its instruments on a MeterProvider; a reader of that provider exports ' +
          'every series twice. Construct it with meterProvider: false to use the producer path only.',
      );
    }
  }
}
