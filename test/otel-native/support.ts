import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CATALOG, prometheusName } from '../../src/index.js';
import { REPO_ROOT } from '../support/backends.js';
import { sampleNames } from '../setup/fixtures.js';
import { attributesOf, type JsonExport } from '../setup/otlp-receiver.js';

/** Every sample name the catalog promises (histograms as `_bucket`, `_sum`, `_count`). */
export function catalogSampleNames(): string[] {
  return CATALOG.flatMap((d) => sampleNames(prometheusName(d), d.kind));
}

/**
 * The library's samples of a Prometheus text body, keyed `name{labels}` without the exporter's
 * scope labels (sorted labels), with their values.
 */
export function librarySamples(
  body: string,
  prefix = 'alert_history_publishing_',
): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const space = line.lastIndexOf(' ');
    const series = line.slice(0, space);
    const brace = series.indexOf('{');
    const name = brace < 0 ? series : series.slice(0, brace);
    const labels =
      brace < 0
        ? []
        : (series.slice(brace + 1, -1).match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? [])
            .filter((l) => !l.startsWith('otel_scope_'))
            .sort();
    out.set(
      labels.length === 0 ? name : `${name}{${labels.join(',')}}`,
      Number(line.slice(space + 1)),
    );
  }
  return out;
}

export interface RunningExample {
  readonly child: ChildProcess;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `examples/<name>/main.ts` with the tests' Node (Node 22 in the compatibility run). */
export function startExample(
  name: string,
  args: readonly string[],
  env: Record<string, string>,
): RunningExample {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'examples', name, 'main.ts'), ...args],
    {
      cwd: REPO_ROOT,
      // Only the metric signal is under test: no trace/log exporter looks for a collector.
      env: { ...process.env, OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    output: () => output,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** One export's data points as `instrument{labels}` → value (histograms: count, sum, buckets). */
export function otlpJsonSamples(
  exported: JsonExport,
  prefix = 'alert_history_publishing_',
): Map<string, string> {
  const out = new Map<string, string>();
  for (const rm of exported.resourceMetrics) {
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics) {
        if (!m.name.startsWith(prefix)) continue;
        const points = m.histogram?.dataPoints ?? m.sum?.dataPoints ?? m.gauge?.dataPoints ?? [];
        for (const p of points) {
          const labels = Object.entries(attributesOf(p))
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .sort()
            .join(',');
          const key = `${m.name}{${labels}}`;
          if ('bucketCounts' in p) {
            out.set(
              key,
              `count=${Number(p.count)} sum=${p.sum ?? 0} buckets=${p.bucketCounts.join('/')}`,
            );
          } else {
            out.set(key, String(p.asDouble ?? Number(p.asInt ?? 0)));
          }
        }
      }
    }
  }
  return out;
}
