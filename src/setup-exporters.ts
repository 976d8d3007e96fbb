import { diag } from '@opentelemetry/api';
import type { Env } from './setup-env.js';

/** The metric exporters `OTEL_METRICS_EXPORTER` can name, as NodeSDK knows them. */
export type MetricExporterName = 'otlp' | 'prometheus' | 'console';

const EXPORTERS: readonly MetricExporterName[] = ['otlp', 'prometheus', 'console'];

/** What the options say of one exporter: on (an object / true), off (false) or nothing. */
export type ExporterChoice = 'on' | 'off' | undefined;

export interface ExporterChoices {
  otlp: ExporterChoice;
  prometheus: ExporterChoice;
  console: ExporterChoice;
}

function list(env: Env, name: string): string[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function hasOtlpEndpoint(env: Env): boolean {
  return ['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'].some(
    (v) => (env[v] ?? '').trim() !== '',
  );
}

/**
 * Which exporters run, by NodeSDK's rules where the options are silent:
 * - an option `false` turns its exporter off, an option object (or `console: true`) on;
 * - the others follow `OTEL_METRICS_EXPORTER` (comma list of `otlp`, `prometheus`, `console`,
 *   `none`; `none` anywhere means none; unknown values are reported through diag and ignored, as
 *   NodeSDK does);
 * - without the variable: `otlp` (NodeSDK's default) when no exporter option is given at all;
 *   when the code configures exporters itself, only those, plus OTLP when an OTLP endpoint
 *   variable is set (the endpoint is the operator's request to push).
 */
export function chooseExporters(
  choices: ExporterChoices,
  env: Env = process.env,
): Set<MetricExporterName> {
  const fromEnv = list(env, 'OTEL_METRICS_EXPORTER');
  let defaults: Set<MetricExporterName>;
  if (fromEnv !== undefined) {
    defaults = new Set();
    if (!fromEnv.includes('none')) {
      for (const name of fromEnv) {
        if ((EXPORTERS as readonly string[]).includes(name)) {
          defaults.add(name as MetricExporterName);
        } else {
          diag.warn(
            `otel-publishing-metrics: unsupported OTEL_METRICS_EXPORTER value "${name}" ignored; ` +
              'supported values are otlp, prometheus, console, none',
          );
        }
      }
    }
  } else if (Object.values(choices).every((c) => c === undefined)) {
    defaults = new Set(['otlp']);
  } else {
    defaults = new Set(hasOtlpEndpoint(env) ? ['otlp'] : []);
  }
  const chosen = new Set<MetricExporterName>();
  for (const name of EXPORTERS) {
    const choice = choices[name];
    if (choice === 'on' || (choice === undefined && defaults.has(name))) chosen.add(name);
  }
  return chosen;
}

/** `OTEL_SDK_DISABLED`, read as the SDK reads booleans (case-insensitive `true`). */
export function sdkDisabled(env: Env = process.env): boolean {
  return (env['OTEL_SDK_DISABLED'] ?? '').trim().toLowerCase() === 'true';
}
