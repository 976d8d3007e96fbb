/**
 * The one naming rule: a catalog row and a namespace give the OTel instrument name, and an
 * instrument name gives the Prometheus family name exactly as `@opentelemetry/exporter-prometheus`
 * (and `export/prometheus-text.ts`, its byte-for-byte equal) writes it. The snapshot, the
 * serializer, the docs, dashboards and rule checks all derive names here, so a namespace such as
 * `a__b` (which the exporter collapses to `a_b`) names a metric the same way everywhere.
 *
 * No unit suffix: the exporter writes the unit on a `# UNIT` line and leaves the name alone, and
 * catalog names already end in their unit (`_seconds`, `_bytes`).
 */

/** What naming reads of a catalog row (a `MetricDefinition` is one): its name and its kind. */
export interface NamedMetric {
  /** The catalog name, counters ending in `_total`. */
  readonly name: string;
  readonly kind: 'gauge' | 'counter' | 'histogram';
}

const INVALID_NAME_CHARACTERS = /[^a-z0-9_]/gi;
const REPEATED_UNDERSCORES = /_{2,}/g;
const EXPOSITION_ESCAPES = /[\\\n]/g;

function escapeCharacter(c: string): string {
  return c === '\\' ? '\\\\' : '\\n';
}

/** Characters outside `[a-zA-Z0-9_]` become `_`, runs of `_` one `_` (metric and label names). */
export function sanitizePrometheusName(name: string): string {
  return name.replace(INVALID_NAME_CHARACTERS, '_').replace(REPEATED_UNDERSCORES, '_');
}

/**
 * An instrument name as a Prometheus metric name, before `_total`: characters outside
 * `[a-zA-Z0-9_]` become `_` (`:` included, as the exporter does), runs of `_` one `_`, and a
 * leading digit gets a `_` in front. The exporter escapes before sanitizing, so a newline becomes
 * `_n`. `''` and `'_'` come back as they are: the exporter drops such a metric.
 */
export function sanitizedMetricName(instrument: string): string {
  const name = sanitizePrometheusName(instrument.replace(EXPOSITION_ESCAPES, escapeCharacter));
  return name[0] !== undefined && name[0] >= '0' && name[0] <= '9' ? `_${name}` : name;
}

/** A sanitized name with the `_total` the exporter gives monotonic sums. */
export function withCounterSuffix(sanitized: string, monotonic: boolean): string {
  return monotonic && !sanitized.endsWith('_total') ? `${sanitized}_total` : sanitized;
}

/** The Prometheus family name of an OTel instrument (`monotonic`: a counter). */
export function prometheusFamilyName(instrument: string, monotonic: boolean): string {
  return withCounterSuffix(sanitizedMetricName(instrument), monotonic);
}

/**
 * The OpenTelemetry instrument name of a catalog row. Counters drop `_total`: OTel names carry
 * no such suffix and both the Prometheus exporter and Prometheus-naming OTLP backends append it
 * to monotonic sums.
 */
export function catalogInstrumentName(def: NamedMetric, namespace: string): string {
  const name = def.kind === 'counter' ? def.name.replace(/_total$/, '') : def.name;
  return namespace === '' ? name : `${namespace}_${name}`;
}

/** The Prometheus name a user sees for a catalog row: the family name of its instrument. */
export function catalogPrometheusName(def: NamedMetric, namespace: string): string {
  return prometheusFamilyName(catalogInstrumentName(def, namespace), def.kind === 'counter');
}
