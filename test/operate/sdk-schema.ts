/**
 * Type-checks a dashboard JSON text against the Grafana foundation SDK's declared types with the
 * TypeScript compiler: the SDK has no runtime validator, so the file is compiled as an object
 * literal of the SDK's `Dashboard`, with each panel's `options` / `fieldConfig.defaults.custom`
 * typed by its panel plugin and each query as a Prometheus `dataquery`. Object-literal checks
 * reject a wrong type, a missing required field and a field the SDK does not know.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CHECK_FILE = `${REPO}test/operate/dashboard-json-check.ts`;

const PRELUDE = `
import type { Dashboard, FieldConfig, FieldConfigSource, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { dataquery } from '@grafana/grafana-foundation-sdk/prometheus';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import type * as stat from '@grafana/grafana-foundation-sdk/stat';
import type * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import type * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';

// The JSON form of an SDK type: string enums become their values, methods are dropped.
type Fn = (...args: never[]) => unknown;
type Json<T> = 0 extends 1 & T ? any
  : T extends string ? (string extends T ? string : \`\${T}\`)
  : T extends Fn ? never
  : T extends readonly (infer E)[] ? Json<E>[]
  : T extends object ? { [K in keyof T as T[K] extends Fn ? never : K]: Json<T[K]> }
  : T;

type Viz<Type extends string, Options, Custom = never> =
  Omit<Json<Panel>, 'type' | 'targets' | 'options' | 'fieldConfig'> & {
    type: Type;
    targets: Json<dataquery>[];
    options: Json<Options>;
    fieldConfig: Omit<Json<FieldConfigSource>, 'defaults'> & {
      defaults: Omit<Json<FieldConfig>, 'custom'> & { custom?: Json<Custom> };
    };
  };

type AnyPanel =
  | Viz<'timeseries', timeseries.Options, timeseries.FieldConfig>
  | Viz<'table', table.Options, table.FieldConfig>
  | Viz<'stat', stat.Options>
  | Viz<'gauge', gauge.Options>
  | Viz<'bargauge', bargauge.Options>
  | (Omit<Json<RowPanel>, 'panels'> & { panels: [] });

// Grafana's export header, which the dashboard model does not declare.
interface ExportHeader {
  __inputs: Array<{ name: string; label: string; description: string; type: 'datasource'; pluginId: string; pluginName: string }>;
  __elements: Record<string, never>;
  __requires: Array<{ type: 'grafana' | 'datasource' | 'panel'; id: string; name: string; version: string }>;
}

export const exported: ExportHeader & Omit<Json<Dashboard>, 'panels'> & { panels: AnyPanel[] } =
`;

/** The compiler's complaints about `jsonText` as an SDK dashboard (empty: it conforms). */
export function sdkDashboardErrors(jsonText: string): string[] {
  const source = `${PRELUDE}${jsonText};\n`;
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (name) => name === CHECK_FILE || ts.sys.fileExists(name);
  host.readFile = (name) => (name === CHECK_FILE ? source : readFile(name));
  host.getSourceFile = (name, version, onError) =>
    name === CHECK_FILE
      ? ts.createSourceFile(name, source, version, true)
      : getSourceFile(name, version, onError);
  const program = ts.createProgram([CHECK_FILE], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where =
      d.file !== undefined && d.start !== undefined
        ? `line ${d.file.getLineAndCharacterOfPosition(d.start).line + 1 - PRELUDE.split('\n').length + 1}: `
        : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n').slice(0, 600);
  });
}
