import {
  CATALOG,
  CIRCUIT_STATE_VALUE,
  DEFAULT_NAMESPACE,
  HEALTH_STATUS_VALUE,
  type CollectorName,
  type MetricDefinition,
} from '../src/catalog.js';
import { catalogInstrumentName, catalogPrometheusName } from '../src/metric-names.js';
import { OVERFLOW_TARGET, DEFAULT_MAX_TARGETS } from '../src/series/target-guard.js';

const COLLECTOR_TITLES: Record<CollectorName, string> = {
  health: 'Target health (health monitor port)',
  refresh: 'Target refresh (refresh manager port and refresh recorder)',
  discovery: 'Target discovery (discovery port and discovery recorder)',
  queue: 'Publishing queue, workers, circuit breakers, DLQ (queue port and queue recorder)',
  publisher: 'Publishers: Slack, Rootly, PagerDuty, webhooks (publisher recorder)',
  self: 'Self-monitoring (every collection)',
};

const prometheusName = (def: MetricDefinition): string =>
  catalogPrometheusName(def, DEFAULT_NAMESPACE);
const instrumentName = (def: MetricDefinition): string =>
  catalogInstrumentName(def, DEFAULT_NAMESPACE);

function row(def: MetricDefinition): string {
  const labels = def.labels.length > 0 ? def.labels.map((l) => `\`${l}\``).join(', ') : '—';
  const buckets = def.buckets !== undefined ? ` Buckets: ${def.buckets.join(', ')}.` : '';
  return `| \`${prometheusName(def)}\` | ${def.kind} | \`${def.unit}\` | ${labels} | ${def.source} | ${def.description}${buckets} |`;
}

/** Renders docs/metrics.md from the catalog; a test fails when the file differs. */
export function renderMetricsDoc(): string {
  const lines: string[] = [
    '# Metric catalog',
    '',
    '<!-- Generated from src/catalog.ts by `npm run docs:metrics`; do not edit by hand. -->',
    '',
    `Every metric the library produces, with the Prometheus name a user sees (namespace \`${DEFAULT_NAMESPACE}\`, configurable).`,
    'The same names appear on `/metrics`, in the snapshot (`collectAll()`), and in Prometheus-compatible OTLP backends',
    '(OpenTelemetry instrument names drop the `_total` of counters; exporters and backends add it back; units are chosen',
    'so that no unit suffix is added to a name that does not already carry it).',
    'A namespace matches `[a-zA-Z_][a-zA-Z0-9_]*` or is empty; names are sanitized as the Prometheus exporter does, so a run',
    'of `_` becomes one `_` everywhere (namespace `a__b` gives `a_b_collector_up`).',
    '',
    `- Ratios are 0–1. Timestamps are Unix seconds. Durations are seconds.`,
    `- \`target_health_status\`: ${Object.entries(HEALTH_STATUS_VALUE)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}.`,
    `- \`circuit_breaker_state\`: ${Object.entries(CIRCUIT_STATE_VALUE)
      .map(([k, v]) => `${v} ${k.replace('_', '-')}`)
      .join(', ')}.`,
    `- The \`target\` label carries at most ${DEFAULT_MAX_TARGETS} distinct values by default (\`maxTargets\`); further targets fold into \`target="${OVERFLOW_TARGET}"\`.`,
    '- Source `port`: read from a subsystem port at collection time (each successful run of its collector replaces its series). Source `recorder`: counted on the hot path by a recorder, published at collection time.',
    '',
  ];
  for (const collector of Object.keys(COLLECTOR_TITLES) as CollectorName[]) {
    const defs = CATALOG.filter((d) => d.collector === collector);
    if (defs.length === 0) continue;
    lines.push(`## ${COLLECTOR_TITLES[collector]}`, '');
    lines.push('| metric | type | unit | labels | source | description |');
    lines.push('|---|---|---|---|---|---|');
    for (const def of defs) lines.push(row(def));
    lines.push('');
  }
  lines.push('## OpenTelemetry instrument names', '');
  lines.push('| Prometheus name | instrument name |', '|---|---|');
  for (const def of CATALOG) {
    if (instrumentName(def) !== prometheusName(def)) {
      lines.push(`| \`${prometheusName(def)}\` | \`${instrumentName(def)}\` |`);
    }
  }
  lines.push('', 'All other instruments carry their Prometheus name unchanged.', '');
  return lines.join('\n');
}
