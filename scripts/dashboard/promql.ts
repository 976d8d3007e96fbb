/**
 * PromQL building blocks of the dashboard's queries. Metric names come from the catalog, so a
 * renamed metric breaks the generator instead of leaving a panel that silently shows "No data".
 */
import { DEFAULT_NAMESPACE, metricDefinition, prometheusName } from '../../src/catalog.js';

/** The Prometheus name of a catalog metric; `_bucket` etc. only on histograms. */
export function m(name: string, suffix?: '_bucket' | '_sum' | '_count'): string {
  const def = metricDefinition(name);
  if (suffix !== undefined && def.kind !== 'histogram') {
    throw new Error(`${name} is a ${def.kind}: it has no ${suffix} series`);
  }
  return prometheusName(def) + (suffix ?? '');
}

/** Recording rules of collector-config/prometheus/rules/publishing-recording.yml. */
export const RULE = {
  healthScore: 'publishing:health_score',
  targetHealthScore: 'publishing:target_health_score',
  successRatio: 'publishing:success_ratio:rate5m',
} as const;

export const RATE = '$__rate_interval';
export const TARGET = 'target=~"$target"';
const INSTANCE = 'instance=~"$instance"';
const CATALOG_SERIES = new RegExp(`\\b(${DEFAULT_NAMESPACE}_[a-z0-9_]+)(\\{[^}]*\\})?`, 'g');

/** `sum [by (by)] (rate(metric{matchers}[$__rate_interval]))` of a catalog counter. */
export const sumRate = (metric: string, by = '', matchers = ''): string =>
  `${by === '' ? 'sum' : `sum by (${by}) `}(rate(${m(metric)}${matchers === '' ? '' : `{${matchers}}`}[${RATE}]))`;

export const quantile = (q: number, metric: string, by: string, filter = ''): string =>
  `histogram_quantile(${q}, sum by (${by}, le) (rate(${m(metric, '_bucket')}${filter}[${RATE}])))`;

/**
 * Every catalog selector of a query narrowed to the chosen replicas. With the variable at "All"
 * (`.*`) the sums run over every replica, so panels show the fleet by default.
 */
export function perInstance(expr: string): string {
  return expr.replace(CATALOG_SERIES, (_all, name: string, matchers: string | undefined) =>
    matchers === undefined
      ? `${name}{${INSTANCE}}`
      : `${name}{${matchers.slice(1, -1)},${INSTANCE}}`,
  );
}

/** Whether a query reads a recording-rule series (already summed over replicas). */
export const readsRecordingRule = (expr: string): boolean => expr.includes('publishing:');
