import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/backends.js';
import { instrumentNames, metricTokens, prometheusSeriesNames } from './names.js';

// No collector binary is available to validate against, so the structure is checked here.
const TEXT = readFileSync(join(REPO_ROOT, 'collector-config', 'otelcol.yaml'), 'utf8');

type Section = Record<string, Record<string, unknown> | null>;
interface Pipeline {
  receivers?: string[];
  processors?: string[];
  exporters?: string[];
}
interface CollectorConfig {
  extensions?: Section;
  receivers: Section;
  processors: Section;
  exporters: Section;
  service: { extensions?: string[]; pipelines: Record<string, Pipeline> };
}

const config = parse(TEXT) as CollectorConfig;
const pipelines = Object.entries(config.service.pipelines);
const kinds = ['receivers', 'processors', 'exporters'] as const;

describe('OpenTelemetry Collector config', () => {
  it('has only metrics pipelines, each referencing defined components', () => {
    expect(pipelines.length).toBeGreaterThan(0);
    for (const [name, pipeline] of pipelines) {
      expect(name).toMatch(/^metrics(\/|$)/);
      for (const kind of kinds) {
        for (const id of pipeline[kind] ?? []) {
          expect(Object.keys(config[kind]), `${name} uses undefined ${kind} ${id}`).toContain(id);
        }
      }
      expect(pipeline.receivers?.length, name).toBeGreaterThan(0);
      expect(pipeline.exporters?.length, name).toBeGreaterThan(0);
    }
  });

  it('uses every component it defines, extensions included', () => {
    for (const kind of kinds) {
      const used = new Set(pipelines.flatMap(([, p]) => p[kind] ?? []));
      for (const id of Object.keys(config[kind]))
        expect(used, `${kind} ${id} unused`).toContain(id);
    }
    const enabled = new Set(config.service.extensions ?? []);
    for (const id of Object.keys(config.extensions ?? {})) expect(enabled).toContain(id);
    for (const id of enabled) expect(Object.keys(config.extensions ?? {})).toContain(id);
    // An authenticator must be an enabled extension.
    for (const exporter of Object.values(config.exporters)) {
      const auth = (exporter?.['auth'] as { authenticator?: string } | undefined)?.authenticator;
      if (auth !== undefined) expect(enabled).toContain(auth);
    }
  });

  it('receives OTLP over HTTP on 4318 and gRPC on 4317', () => {
    const otlp = config.receivers['otlp'] as {
      protocols: { http: { endpoint: string }; grpc: { endpoint: string } };
    };
    expect(otlp.protocols.http.endpoint).toMatch(/:4318$/);
    expect(otlp.protocols.grpc.endpoint).toMatch(/:4317$/);
  });

  it('limits memory first and batches last in every pipeline', () => {
    for (const [name, pipeline] of pipelines) {
      const processors = pipeline.processors ?? [];
      expect(processors[0], name).toBe('memory_limiter');
      expect(processors.at(-1), name).toBe('batch');
    }
  });

  it('exports to Prometheus remote write and OTLP/HTTP with endpoints and secrets from the environment', () => {
    const exporters = new Set(pipelines.flatMap(([, p]) => p.exporters ?? []));
    expect(exporters).toEqual(new Set(['prometheusremotewrite', 'otlphttp']));
    const remoteWrite = config.exporters['prometheusremotewrite']!;
    expect(remoteWrite['endpoint']).toMatch(/^\$\{env:[A-Z_]+\}$/);
    expect(remoteWrite['resource_to_telemetry_conversion']).toEqual({ enabled: false });
    expect(config.exporters['otlphttp']!['endpoint']).toMatch(/^\$\{env:[A-Z_]+\}$/);
    const basicAuth = config.extensions?.['basicauth/remote-write'] as {
      client_auth: { username: string; password: string };
    };
    expect(basicAuth.client_auth.password).toMatch(/^\$\{env:[A-Z_]+\}$/);
    // No literal credential anywhere: every secret-looking value is an env reference.
    for (const line of TEXT.split('\n').filter((l) => /(password|authorization|token):/i.test(l))) {
      expect(line).toMatch(/\$\{env:[A-Z_]+\}/);
    }
  });

  it('promotes deployment.environment to a label on the remote-write pipeline only', () => {
    const [, remoteWrite] = pipelines.find(([, p]) =>
      p.exporters?.includes('prometheusremotewrite'),
    )!;
    const [, otlp] = pipelines.find(([, p]) => p.exporters?.includes('otlphttp'))!;
    expect(remoteWrite.processors).toContain('transform/promote-environment');
    expect(otlp.processors).not.toContain('transform/promote-environment');
    const transform = config.processors['transform/promote-environment'] as {
      metric_statements: Array<{ context: string; statements: string[] }>;
    };
    const statements = transform.metric_statements.flatMap((s) => s.statements).join('\n');
    expect(statements).toContain('resource.attributes["deployment.environment"]');
  });

  it('mentions metrics by their OpenTelemetry instrument names, as the collector sees them', () => {
    // Comments count: they are what users uncomment. `_total` or `_bucket` would match nothing
    // in a collector processor, which sees OTLP names.
    const known = instrumentNames();
    const tokens = metricTokens(TEXT);
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.filter((t) => !known.has(t))).toEqual([]);
    const prometheusOnly = [...prometheusSeriesNames()].filter((n) => !known.has(n));
    expect(prometheusOnly).toContain('alert_history_publishing_jobs_processed_total');
  });
});
