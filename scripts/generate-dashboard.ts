/**
 * Generates `collector-config/grafana/publishing-dashboard.json` (run `npm run dashboard`) with
 * the Grafana foundation SDK's builders: the rows and panels are data (dashboard/rows.ts), the
 * builders turn them into panels, queries, variables and the grid layout.
 * `test/operate/dashboard.test.ts` checks the committed file is what this generates and runs
 * every panel query against a real Prometheus.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  RowBuilder,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { panel } from './dashboard/panels.js';
import { ROWS } from './dashboard/rows.js';
import { VARIABLES } from './dashboard/variables.js';

/**
 * Grafana's export header (not part of the dashboard model): the data source asked for on
 * import and the plugins the dashboard needs.
 */
interface ExportHeader {
  __inputs: Array<Record<string, string>>;
  __elements: Record<string, never>;
  __requires: Array<{ type: string; id: string; name: string; version: string }>;
}

export type ExportedDashboard = ExportHeader & Dashboard;

const PANEL_NAMES: Record<string, string> = {
  bargauge: 'Bar gauge',
  gauge: 'Gauge',
  stat: 'Stat',
  table: 'Table',
  timeseries: 'Time series',
};

/**
 * The SDK's 10.4 dashboard kind still defaults to schema 36; the panels here use the schema-38
 * table cell options (`custom.cellOptions`), so the file says 39 like Grafana 10.4's own exports.
 */
const SCHEMA_VERSION = 39;

function exportHeader(): ExportHeader {
  const panelTypes = [...new Set(ROWS.flatMap((r) => r.panels.map((p) => p.type)))].sort();
  return {
    __inputs: [
      {
        name: 'DS_PROMETHEUS',
        label: 'Prometheus',
        description:
          'Prometheus (or Mimir, VictoriaMetrics) holding the alert_history_publishing_* metrics',
        type: 'datasource',
        pluginId: 'prometheus',
        pluginName: 'Prometheus',
      },
    ],
    __elements: {},
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: '10.0.0' },
      { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
      ...panelTypes.map((t) => ({ type: 'panel', id: t, name: PANEL_NAMES[t] ?? t, version: '' })),
    ],
  };
}

/** The dashboard, in Grafana's export format (importable with a Prometheus data source). */
export function buildDashboard(): ExportedDashboard {
  const builder = new DashboardBuilder('Alert publishing')
    .uid('otel-publishing-metrics')
    .description(
      'Alert publishing: targets, delivery, queue, DLQ, discovery and refresh, collector self-monitoring (otel-publishing-metrics). Needs the recording rules of publishing-recording.yml.',
    )
    .tags(['alert-publishing', 'opentelemetry'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .refresh('30s')
    .version(1)
    .annotation(
      new AnnotationQueryBuilder()
        .builtIn(1)
        .datasource({ type: 'grafana', uid: '-- Grafana --' })
        .enable(true)
        .hide(true)
        .iconColor('rgba(0, 211, 255, 1)')
        .name('Annotations & Alerts')
        .type('dashboard'),
    )
    .variables(VARIABLES);
  // Rows stay expanded (their panels follow them at the top level), and every line of a row
  // fills the 24 columns, so the builder's left-to-right placement is the intended grid.
  let id = 1;
  for (const row of ROWS) {
    builder.withRow(new RowBuilder(row.title).id(id++));
    for (const spec of row.panels) builder.withPanel(panel(spec, id++));
  }
  // The SDK's query objects carry a type-marker method; the export is their JSON form.
  const dashboard = JSON.parse(JSON.stringify(builder.build())) as Dashboard;
  return { ...exportHeader(), ...dashboard, schemaVersion: SCHEMA_VERSION };
}

/** The committed file's text. */
export function renderDashboard(): string {
  return `${JSON.stringify(buildDashboard(), null, 2)}\n`;
}

export const DASHBOARD_PATH = fileURLToPath(
  new URL('../collector-config/grafana/publishing-dashboard.json', import.meta.url),
);

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(DASHBOARD_PATH, renderDashboard());
  console.log('wrote collector-config/grafana/publishing-dashboard.json');
}
