import { createServer as createNetServer } from 'node:net';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startPublishingTelemetry, type PublishingTelemetry } from '../../src/index.js';
import { REPO_ROOT } from '../support/backends.js';
import { FakePipeline, memoryLogger } from './fixtures.js';
import { metricsByName, startOtlpReceiver } from './otlp-receiver.js';

const OTEL_VARS = [
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
  'OTEL_METRIC_EXPORT_INTERVAL',
  'OTEL_EXPORTER_PROMETHEUS_HOST',
  'OTEL_EXPORTER_PROMETHEUS_PORT',
];

const running: PublishingTelemetry[] = [];
async function start(
  options: Parameters<typeof startPublishingTelemetry>[0],
): Promise<PublishingTelemetry> {
  const t = await startPublishingTelemetry({ logger: false, ...options });
  running.push(t);
  return t;
}

beforeEach(() => {
  for (const name of OTEL_VARS) vi.stubEnv(name, '');
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(running.splice(0).map((t) => t.shutdown()));
});

const pipeline = () =>
  new FakePipeline([
    { name: 'slack-ops', type: 'slack' },
    { name: 'pagerduty-sre', type: 'pagerduty', status: 'degraded' },
  ]);

describe('startPublishingTelemetry: Prometheus endpoint', () => {
  it('serves the metrics on its own server at 127.0.0.1, without scope labels', async () => {
    const p = pipeline();
    const t = await start({
      sources: { health: p.health },
      prometheus: { port: 0 },
      otlp: false,
    });
    expect(t.prometheus?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const res = await fetch(t.prometheus!.url!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await res.text();
    expect(body).toContain(
      'alert_history_publishing_target_health_status{target="pagerduty-sre",type="pagerduty"} 2\n',
    );
    expect(body).not.toContain('otel_scope_name');
    expect(body).toMatch(/^target_info\{.*service_name=/m);
  });

  it('answers 404 on other paths, 405 to POST and headers only to HEAD', async () => {
    const t = await start({ sources: pipeline().sources, prometheus: { port: 0 }, otlp: false });
    const base = t.prometheus!.url!.replace(/\/metrics$/, '');
    expect((await fetch(`${base}/other`)).status).toBe(404);
    const post = await fetch(t.prometheus!.url!, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(t.prometheus!.url!, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(1000);
    expect(await head.text()).toBe('');
  });

  it('in mount mode opens no port and serves from the host server (node:http, Express, Fastify)', async () => {
    const t = await start({
      sources: pipeline().sources,
      prometheus: { mount: true, port: 1 },
      otlp: false,
    });
    expect(t.prometheus?.url).toBeUndefined();
    const handler = t.prometheus!.handler;

    const plain = createServer((req, res) =>
      req.url === '/internal/metrics' ? handler(req, res) : res.writeHead(404).end(),
    );
    const app = express();
    app.get('/metrics', handler);
    let appServer: ReturnType<typeof app.listen> | undefined;
    await new Promise<void>((r) => (appServer = app.listen(0, '127.0.0.1', () => r())));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const fastify = Fastify();
    fastify.get('/metrics', (request, reply) => {
      reply.hijack();
      handler(request.raw, reply.raw);
    });
    const fastifyUrl = await fastify.listen({ port: 0, host: '127.0.0.1' });
    try {
      for (const url of [
        `http://127.0.0.1:${(plain.address() as AddressInfo).port}/internal/metrics`,
        `http://127.0.0.1:${(appServer!.address() as AddressInfo).port}/metrics`,
        `${fastifyUrl}/metrics`,
      ]) {
        const body = await (await fetch(url)).text();
        expect(body).toContain('alert_history_publishing_refresh_interval_seconds 60\n');
      }
    } finally {
      plain.close();
      appServer!.close();
      await fastify.close();
    }
  });

  it('rejects with a message naming host:port when the port is taken, leaving nothing running', async () => {
    const blocker = createNetServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    const receiver = await startOtlpReceiver();
    try {
      await expect(
        startPublishingTelemetry({
          logger: false,
          prometheus: { port },
          otlp: { endpoint: receiver.url, intervalMs: 50 },
        }),
      ).rejects.toThrow(
        `Prometheus endpoint cannot listen on 127.0.0.1:${port} (address already in use)`,
      );
      // The OTLP reader was shut down with the failed start: no export in 4 intervals.
      await new Promise((r) => setTimeout(r, 200));
      expect(receiver.requests).toHaveLength(0);
    } finally {
      blocker.close();
      await receiver.close();
    }
  });

  it('takes host and port from OTEL_EXPORTER_PROMETHEUS_HOST/PORT', async () => {
    vi.stubEnv('OTEL_EXPORTER_PROMETHEUS_HOST', '127.0.0.1');
    vi.stubEnv('OTEL_EXPORTER_PROMETHEUS_PORT', '0');
    const t = await start({ prometheus: {}, otlp: false });
    expect(t.prometheus?.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/metrics$/);
  });
});

describe('startPublishingTelemetry: resource', () => {
  it('takes service.name and attributes from OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES', async () => {
    vi.stubEnv('OTEL_SERVICE_NAME', 'alert-publisher');
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'deployment.environment=staging,team=sre%20oncall');
    const t = await start({ prometheus: { port: 0 }, otlp: false });
    const body = await (await fetch(t.prometheus!.url!)).text();
    const info = body.split('\n').find((l) => l.startsWith('target_info{'));
    expect(info).toContain('service_name="alert-publisher"');
    expect(info).toContain('deployment_environment="staging"');
    expect(info).toContain('team="sre oncall"');
  });

  it('lets options override the environment', async () => {
    vi.stubEnv('OTEL_SERVICE_NAME', 'from-env');
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'team=env-team');
    const t = await start({
      serviceName: 'from-options',
      resourceAttributes: { team: 'options-team' },
      prometheus: { port: 0 },
      otlp: false,
    });
    const body = await (await fetch(t.prometheus!.url!)).text();
    expect(body).toContain('service_name="from-options"');
    expect(body).toContain('team="options-team"');
  });
});

describe('startPublishingTelemetry: OTLP configuration', () => {
  it('stays off without an endpoint', async () => {
    const t = await start({ prometheus: false });
    expect(t.otlp).toBeUndefined();
    expect(t.prometheus).toBeUndefined();
    const snapshot = await t.collectAll();
    expect(snapshot.family('collector_up')).toBeUndefined();
  });

  it('turns on from OTEL_EXPORTER_OTLP_ENDPOINT with protocol and interval from the env', async () => {
    const receiver = await startOtlpReceiver();
    try {
      vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', receiver.url.replace(/\/v1\/metrics$/, ''));
      vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'http/json');
      vi.stubEnv('OTEL_METRIC_EXPORT_INTERVAL', '60000');
      const t = await start({ prometheus: false, sources: { refresh: pipeline().refresh } });
      expect(t.otlp).toMatchObject({
        url: receiver.url,
        protocol: 'http/json',
        intervalMs: 60_000,
      });
      await t.shutdown();
      // One export, sent by shutdown (the interval is a minute).
      expect(receiver.requests).toHaveLength(1);
      expect(receiver.requests[0]!.contentType).toBe('application/json');
      const metrics = metricsByName(receiver.requests[0]!);
      expect(
        metrics.get('alert_history_publishing_refresh_interval_seconds')?.gauge?.dataPoints[0]
          ?.asDouble,
      ).toBe(60);
    } finally {
      await receiver.close();
    }
  });

  it('otlp: false wins over the environment', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://127.0.0.1:1');
    const t = await start({ prometheus: false, otlp: false });
    expect(t.otlp).toBeUndefined();
  });

  it('ignores a grpc protocol meant for traces while no metrics endpoint is set', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc');
    vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'http://127.0.0.1:4317');
    const t = await start({ prometheus: false });
    expect(t.otlp).toBeUndefined();
  });

  it('lets otlp.protocol override an unsupported protocol variable', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc');
    const t = await start({
      prometheus: false,
      otlp: { endpoint: 'http://127.0.0.1:1/v1/metrics', protocol: 'http/json' },
    });
    expect(t.otlp?.protocol).toBe('http/json');
  });

  it('rejects a malformed variable at startup, naming it', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'grpc');
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://127.0.0.1:1');
    await expect(startPublishingTelemetry({ prometheus: false })).rejects.toThrow(
      /OTEL_EXPORTER_OTLP_METRICS_PROTOCOL='grpc' is not supported/,
    );
  });
});

describe('startPublishingTelemetry: lifecycle', () => {
  it('registers a collector for every source given', async () => {
    const t = await start({ sources: pipeline().sources, prometheus: false });
    expect(t.collector.collectorNames.sort()).toEqual(['discovery', 'health', 'queue', 'refresh']);
  });

  it('shutdown() is idempotent and closes the Prometheus server', async () => {
    const t = await startPublishingTelemetry({
      logger: false,
      prometheus: { port: 0 },
      otlp: false,
    });
    const first = t.shutdown();
    expect(t.shutdown()).toBe(first);
    await first;
    await t.shutdown();
    await expect(fetch(t.prometheus!.url!)).rejects.toThrow();
  });

  it('does not import exporter packages statically (they are optional peers)', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts')) {
          const source = readFileSync(path, 'utf8');
          if (/^\s*(import|export)[^;]*from\s+'@opentelemetry\/exporter-/m.test(source)) {
            offenders.push(path.slice(REPO_ROOT.length + 1));
          }
        }
      }
    };
    walk(join(REPO_ROOT, 'src'));
    expect(offenders).toEqual([]);
  });

  it('logs a failed OTLP export once and its recovery once', async () => {
    const receiver = await startOtlpReceiver({ status: 400 });
    const logger = memoryLogger();
    try {
      const t = await start({
        prometheus: false,
        logger,
        otlp: { endpoint: receiver.url, protocol: 'http/json', intervalMs: 60_000 },
      });
      await t.otlp!.reader.forceFlush();
      expect(logger.warns).toHaveLength(1);
      expect(logger.warns[0]).toMatch(
        new RegExp(`OTLP metrics export to ${receiver.url} failed \\(1 in a row\\)`),
      );
      expect(t.otlp!.failures).toBe(1);
      receiver.mode = 'accept';
      await t.otlp!.reader.forceFlush();
      expect(logger.infos).toEqual([
        `otel-publishing-metrics: OTLP metrics export to ${receiver.url} recovered after 1 failed export(s)`,
      ]);
      expect(t.otlp!.failures).toBe(0);
      await t.shutdown();
    } finally {
      await receiver.close();
    }
  });
});

describe('optional exporter packages', () => {
  it('a missing exporter package fails startup with the package to install', async () => {
    const { importOptional } = await import('../../src/export/optional-import.js');
    const missing = '@opentelemetry/exporter-not-installed';
    await expect(
      importOptional(() => import(missing), missing, 'Prometheus export', 'prometheus: false'),
    ).rejects.toThrow(
      `Prometheus export needs the optional peer dependency ${missing}: install it (npm install ${missing}) or set prometheus: false`,
    );
  });
});
