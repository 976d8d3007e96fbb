/** One Grafana panel per PanelSpec, built with the foundation SDK's panel builders. */
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  FieldColorBuilder,
  FieldColorModeId,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type DataSourceRef,
} from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { perInstance, readsRecordingRule } from './promql.js';
import type { PanelSpec } from './spec.js';

/** Filled in at import time with the data source chosen for the DS_PROMETHEUS input. */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };

export const DEFAULT_HEIGHT = 8;

/** Recording-rule series are already summed over replicas: the instance variable cannot apply. */
const RULE_NOTE =
  ' Recording-rule series cover every replica; the Replica variable does not narrow them.';

type AnyPanelBuilder =
  | timeseries.PanelBuilder
  | table.PanelBuilder
  | stat.PanelBuilder
  | gauge.PanelBuilder
  | bargauge.PanelBuilder;

const refId = (i: number): string => String.fromCharCode(65 + i);

/** A table's value columns are `Value` (one query) or `Value #A`, `Value #B`, ... */
const column = (spec: PanelSpec, i: number): string =>
  spec.queries.length === 1 ? 'Value' : `Value #${refId(i)}`;

function query(spec: PanelSpec, i: number): DataqueryBuilder {
  const q = spec.queries[i]!;
  const built = new DataqueryBuilder()
    .datasource(DATASOURCE)
    .refId(refId(i))
    .expr(perInstance(q.expr))
    .legendFormat(q.legend ?? '__auto');
  return spec.instant === true ? built.instant().format(PromQueryFormat.Table) : built.range();
}

const lastValue = (): common.ReduceDataOptionsBuilder =>
  new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('').values(false);

function timeseriesPanel(spec: PanelSpec): timeseries.PanelBuilder {
  const stacked = spec.stack === true;
  return new timeseries.PanelBuilder()
    .drawStyle(common.GraphDrawStyle.Line)
    .lineWidth(1)
    .fillOpacity(stacked ? 30 : 10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .stacking(
      new common.StackingConfigBuilder()
        .mode(stacked ? common.StackingMode.Normal : common.StackingMode.None)
        .group('A'),
    )
    .legend(
      new common.VizLegendOptionsBuilder()
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Right)
        .showLegend(true)
        .calcs(['lastNotNull', 'max']),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    );
}

/** One row per target: the instant queries merged on their common labels. */
function tablePanel(spec: PanelSpec): table.PanelBuilder {
  const renameByName = Object.fromEntries(
    spec.queries.map((q, i) => [column(spec, i), q.legend ?? column(spec, i)]),
  );
  const panel = new table.PanelBuilder()
    .showHeader(true)
    .cellHeight(common.TableCellHeight.Sm)
    .transformations([
      { id: 'merge', options: {} },
      { id: 'organize', options: { excludeByName: { Time: true }, renameByName } },
    ]);
  // The mappings belong to the first column only (a score of 2 is not "degraded").
  if (spec.mappings !== undefined) {
    panel.overrideByName(column(spec, 0), [
      { id: 'mappings', value: spec.mappings },
      { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorText } },
    ]);
  }
  return panel;
}

function vizPanel(spec: PanelSpec): AnyPanelBuilder {
  switch (spec.type) {
    case 'timeseries':
      return timeseriesPanel(spec);
    case 'table':
      return tablePanel(spec);
    case 'stat':
      return new stat.PanelBuilder()
        .reduceOptions(lastValue())
        .orientation(common.VizOrientation.Auto)
        .colorMode(common.BigValueColorMode.Value)
        .graphMode(common.BigValueGraphMode.Area)
        .textMode(common.BigValueTextMode.Auto);
    case 'gauge':
      return new gauge.PanelBuilder()
        .reduceOptions(lastValue())
        .orientation(common.VizOrientation.Auto);
    case 'bargauge':
      return new bargauge.PanelBuilder()
        .reduceOptions(lastValue())
        .orientation(common.VizOrientation.Auto)
        .displayMode(common.BarGaugeDisplayMode.Gradient)
        .showUnfilled(true);
  }
}

/** The panel of `spec`; the dashboard builder places it (x, y) after the previous one. */
export function panel(spec: PanelSpec, id: number): AnyPanelBuilder {
  const built = vizPanel(spec)
    .id(id)
    .title(spec.title)
    .description(
      spec.queries.some((q) => readsRecordingRule(q.expr))
        ? spec.description + RULE_NOTE
        : spec.description,
    )
    .datasource(DATASOURCE)
    .span(spec.width)
    .height(spec.height ?? DEFAULT_HEIGHT)
    .targets(spec.queries.map((_q, i) => query(spec, i)))
    .unit(spec.unit ?? 'short')
    .thresholds(
      new ThresholdsConfigBuilder()
        .mode(ThresholdsMode.Absolute)
        .steps(spec.thresholds ?? [{ color: 'green', value: null }]),
    )
    .colorScheme(
      new FieldColorBuilder().mode(
        spec.thresholds !== undefined
          ? FieldColorModeId.Thresholds
          : FieldColorModeId.PaletteClassic,
      ),
    );
  if (spec.type !== 'table' && spec.mappings !== undefined) built.mappings(spec.mappings);
  if (spec.min !== undefined) built.min(spec.min);
  if (spec.max !== undefined) built.max(spec.max);
  if (spec.decimals !== undefined) built.decimals(spec.decimals);
  return built;
}
