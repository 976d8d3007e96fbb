/** The plain-data description of the dashboard's rows and panels (see rows.ts). */
import type { Threshold, ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';

export type Unit = 'percentunit' | 's' | 'ops' | 'short' | 'none' | 'dtdurations' | 'reqps';

export type PanelType = 'stat' | 'gauge' | 'timeseries' | 'table' | 'bargauge';

export interface Query {
  expr: string;
  legend?: string;
}

export interface PanelSpec {
  title: string;
  type: PanelType;
  description: string;
  queries: Query[];
  unit?: Unit;
  width: number;
  height?: number;
  min?: number;
  max?: number;
  decimals?: number;
  mappings?: ValueMapping[];
  thresholds?: Threshold[];
  /** Instant table of the current values, one column per query (named by `legend`). */
  instant?: boolean;
  stack?: boolean;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}
