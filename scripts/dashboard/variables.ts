/** The dashboard's template variables: Replica, Target type and Target, from label_values. */
import {
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE } from './panels.js';
import { m } from './promql.js';

function variable(name: string, label: string, query: string): QueryVariableBuilder {
  return (
    new QueryVariableBuilder(name)
      .label(label)
      .datasource(DATASOURCE)
      .query({ query, refId: 'PrometheusVariableQueryEditor-VariableQuery' })
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      // "All" matches every value, including targets no health check reports (and __overflow__).
      .allValue('.*')
  );
}

/** Replica first: the fleet test reads it as the dashboard's first variable. */
export const VARIABLES = [
  variable('instance', 'Replica', `label_values(${m('collector_up')}, instance)`),
  variable('type', 'Target type', `label_values(${m('target_health_status')}, type)`),
  variable('target', 'Target', `label_values(${m('target_health_status')}{type=~"$type"}, target)`),
];
