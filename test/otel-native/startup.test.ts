/**
 * `startPublishingTelemetry` with the SDK's environment semantics: `OTEL_SDK_DISABLED`,
 * `OTEL_METRICS_EXPORTER` (NodeSDK's default and lists), NodeSDK's resource detectors, joining a
 * MeterProvider registered globally; option errors that name the option; shutdown in either
 * order keeping the final values; and the diag reports that make a miswiring visible.
 */
import { createServer } from 'node:net';
import { diag, DiagLogLevel, metrics, type DiagLogger } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  MetricReader,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CATALOG,
  PublishingMetricsCollector,
  instrumentName,
  startPublishingTelemetry,
  type PublishingTelemetry,
} from '../../src/index.js';
import { inMemorySources, recordSampleTraffic } from '../../examples/in-memory-subsystems.js';
import { freePort } from '../support/backends.js';
import { decodeJson, startOtlpReceiver } from '../setup/otlp-receiver.js';

class PlainReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

const started: PublishingTelemetry[] = [];
async function start(...args: Parameters<typeof startPublishingTelemetry>) {
  const t = await startPublishingTelemetry(...args);
  started.push(t);
  return t;
}

afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await Promise.all(started.splice(0).map((t) => t.shutdown()));
  metrics.disable();
  diag.disable();
});

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function names(rm: ResourceMetrics | undefined): Set<string> {
  return new Set(rm?.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name)) ?? []);
}

const CATALOG_INSTRUMENTS = CATALOG.map((d) => instrumentName(d));
const PORT_INSTRUMENTS = CATALOG.filter((d) => d.source === 'port').map((d) => instrumentName(d));

function recordingDiag(): string[] {
  const lines: string[] = [];
  const log = (m: string) => lines.push(m);
  const logger: DiagLogger = {
    error: log,
    warn: log,
    info: log,
    debug: () => {},
    verbose: () => {},
  };
  diag.setLogger(logger, DiagLogLevel.INFO);
  return lines;
}

describe('OTEL_SDK_DISABLED=true', () => {
  it('binds no port and exports nothing, and the returned handles still work', async () => {
    vi.stubEnv('OTEL_SDK_DISABLED', 'true');
    const port = await freePort();
    const receiver = await startOtlpReceiver();
    try {
      const t = await start({
        sources: inMemorySources,
        prometheus: { port },
        otlp: { endpoint: `${receiver.url}/v1/metrics`, protocol: 'http/json', intervalMs: 50 },
      });
      expect(t.mode).toBe('disabled');
      expect(t.prometheus).toBeUndefined();
      expect(t.otlp).toBeUndefined();
      expect(await canListen(port)).toBe(true);
      recordSampleTraffic(t.collector);
      const snapshot = await t.collectAll();
      expect(
        snapshot.get('jobs_processed_total', { target: 'slack-oncall', state: 'succeeded' }),
      ).toBe(1);
      await new Promise((r) => setTimeout(r, 200));
      await t.shutdown();
      expect(receiver.requests).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});

describe('OTEL_METRICS_EXPORTER', () => {
  it('defaults to otlp (NodeSDK’s default) at the exporter’s default endpoint when no option chooses', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_TIMEOUT', '300');
    const t = await start({ logger: false });
    expect(t.mode).toBe('own');
    expect(t.otlp?.url).toBe('http://localhost:4318/v1/metrics');
    expect(t.prometheus).toBeUndefined();
  });

  it('none: no exporter at all', async () => {
    vi.stubEnv('OTEL_METRICS_EXPORTER', 'none');
    const t = await start({ sources: inMemorySources });
    expect(t.mode).toBe('own');
    expect(t.prometheus).toBeUndefined();
    expect(t.otlp).toBeUndefined();
  });

  it('a comma list starts each exporter it names', async () => {
    const receiver = await startOtlpReceiver();
    try {
      vi.stubEnv('OTEL_METRICS_EXPORTER', 'prometheus, otlp');
      vi.stubEnv('OTEL_EXPORTER_PROMETHEUS_PORT', '0');
      vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', `${receiver.url}/v1/metrics`);
      vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'http/json');
      const t = await start({ sources: inMemorySources });
      const body = await (await fetch(t.prometheus!.url!)).text();
      expect(body).toContain('alert_history_publishing_target_health_status{');
      await t.shutdown();
      const exported = receiver.requests.flatMap((r) =>
        decodeJson(r).resourceMetrics.flatMap((rm) =>
          rm.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.name)),
        ),
      );
      expect(exported).toContain('alert_history_publishing_target_health_status');
    } finally {
      await receiver.close();
    }
  });

  it('console: the ConsoleMetricExporter prints every catalog metric at shutdown', async () => {
    vi.stubEnv('OTEL_METRICS_EXPORTER', 'console');
    const printed: string[] = [];
    vi.spyOn(console, 'dir').mockImplementation((item: unknown) => {
      const name = (item as { descriptor?: { name?: string } })?.descriptor?.name;
      if (name !== undefined) printed.push(name);
    });
    const t = await start({ sources: inMemorySources });
    recordSampleTraffic(t.collector);
    await t.shutdown();
    expect(CATALOG_INSTRUMENTS.filter((n) => !printed.includes(n))).toEqual([]);
  });

  it('an explicit option wins over the variable', async () => {
    vi.stubEnv('OTEL_METRICS_EXPORTER', 'none');
    const t = await start({ prometheus: { port: 0 } });
    expect(t.prometheus?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(t.otlp).toBeUndefined();
  });
});

describe('resource as NodeSDK builds it', () => {
  it('carries the host, process and OS detectors’ attributes on target_info; OTEL_NODE_RESOURCE_DETECTORS=none drops them', async () => {
    const t = await start({ prometheus: { port: 0 }, otlp: false, serviceName: 'detected' });
    const info = (await (await fetch(t.prometheus!.url!)).text())
      .split('\n')
      .find((l) => l.startsWith('target_info{'));
    expect(info).toContain('service_name="detected"');
    expect(info).toMatch(/host_name="[^"]+"/);
    expect(info).toContain(`process_pid="${process.pid}"`);
    expect(info).toMatch(/os_type="[^"]+"/);

    vi.stubEnv('OTEL_NODE_RESOURCE_DETECTORS', 'none');
    const bare = await start({ prometheus: { port: 0 }, otlp: false, serviceName: 'bare' });
    const bareInfo = (await (await fetch(bare.prometheus!.url!)).text())
      .split('\n')
      .find((l) => l.startsWith('target_info{'));
    expect(bareInfo).toContain('service_name="bare"');
    expect(bareInfo).not.toContain('host_name=');
  });
});

describe('next to a MeterProvider registered globally (a service’s NodeSDK)', () => {
  it('joins it on the instrument path: no second Prometheus port, no second OTLP pipeline', async () => {
    const reader = new PlainReader();
    const provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    const t = await start({ sources: inMemorySources });
    expect(t.mode).toBe('joined');
    expect(t.meterProvider).toBe(metrics.getMeterProvider());
    expect(t.prometheus).toBeUndefined();
    expect(t.otlp).toBeUndefined();
    recordSampleTraffic(t.collector);
    const { resourceMetrics } = await reader.collect();
    expect(CATALOG_INSTRUMENTS.filter((n) => !names(resourceMetrics).has(n))).toEqual([]);
    // Asked for its own exporters explicitly, it builds its own pipeline.
    const own = await start({ sources: inMemorySources, prometheus: { port: 0 }, otlp: false });
    expect(own.mode).toBe('own');
    expect(own.prometheus?.url).toBeDefined();
    await provider.shutdown();
  });
});

describe('option errors name the option, what it must be and what it got', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    [
      'prometheus: 19468',
      { prometheus: 19468 },
      'prometheus must be an object, got the number 19468',
    ],
    [
      'a string port',
      { prometheus: { port: '19468' } },
      'prometheus.port must be an integer, got the string "19468"',
    ],
    ['sources as an array', { sources: [] }, 'sources must be an object, got an array'],
    [
      'an unknown port name',
      { sources: { healthMonitor: {} } },
      'sources has an unknown key "healthMonitor": expected health, refresh, discovery, queue',
    ],
    [
      'a port without its method',
      { sources: { health: {} } },
      'sources.health.getHealth must be a function, got undefined',
    ],
    [
      'an unknown option',
      { promethues: {} },
      'startPublishingTelemetry options has an unknown key "promethues"',
    ],
    ['an empty host', { prometheus: { host: '' } }, 'prometheus.host must not be empty'],
  ];
  it.each(cases)('%s', async (_, options, message) => {
    await expect(startPublishingTelemetry(options as never)).rejects.toThrow(message);
  });
});

describe('shutdown in either order exports the final values of every series', () => {
  type Path = 'instruments' | 'producer';
  function wired(path: Path) {
    const pushed = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    if (path === 'instruments') {
      const provider = new MeterProvider({
        readers: [
          new PeriodicExportingMetricReader({ exporter: pushed, exportIntervalMillis: 600_000 }),
        ],
      });
      const pm = new PublishingMetricsCollector({
        meterProvider: provider,
        sources: inMemorySources,
      });
      return { pm, provider, pushed };
    }
    const pm = new PublishingMetricsCollector({ meterProvider: false, sources: inMemorySources });
    const provider = new MeterProvider({
      readers: [
        new PeriodicExportingMetricReader({
          exporter: pushed,
          exportIntervalMillis: 600_000,
          metricProducers: [pm.producer],
        }),
      ],
    });
    return { pm, provider, pushed };
  }

  it.each([
    ['instruments', 'library first'],
    ['instruments', 'provider first'],
    ['producer', 'library first'],
    ['producer', 'provider first'],
  ] as Array<[Path, string]>)('%s path, %s', async (path, order) => {
    const { pm, provider, pushed } = wired(path);
    recordSampleTraffic(pm);
    if (order === 'library first') {
      await pm.shutdown();
      await provider.shutdown();
    } else {
      await provider.shutdown();
      await pm.shutdown();
    }
    const last = pushed.getMetrics().at(-1);
    const exported = names(last);
    expect(PORT_INSTRUMENTS.filter((n) => !exported.has(n))).toEqual([]);
    expect(CATALOG_INSTRUMENTS.filter((n) => !exported.has(n))).toEqual([]);
  });

  it('startPublishingTelemetry’s shutdown sends the final OTLP export with every port gauge', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const t = await startPublishingTelemetry({
        sources: inMemorySources,
        prometheus: false,
        otlp: {
          endpoint: `${receiver.url}/v1/metrics`,
          protocol: 'http/json',
          intervalMs: 600_000,
        },
        logger: false,
      });
      recordSampleTraffic(t.collector);
      await t.shutdown();
      const final = receiver.requests.at(-1);
      const exported = new Set(
        decodeJson(final!).resourceMetrics.flatMap((rm) =>
          rm.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.name)),
        ),
      );
      expect(CATALOG_INSTRUMENTS.filter((n) => !exported.has(n))).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});

describe('no silent miswiring: diag says what to do', () => {
  it('instruments on a provider nothing registered report it once', () => {
    const lines = recordingDiag();
    new PublishingMetricsCollector();
    expect(lines.filter((l) => l.includes('no MeterProvider is registered globally'))).toHaveLength(
      1,
    );
  });

  it('the producer read while instruments are registered reports the double export', async () => {
    const lines = recordingDiag();
    const pm = new PublishingMetricsCollector({ meterProvider: new MeterProvider() });
    const reader = new PlainReader({ metricProducers: [pm.producer] });
    new MeterProvider({ readers: [reader] });
    await reader.collect();
    await reader.collect();
    expect(lines.filter((l) => l.includes('exports every series twice'))).toHaveLength(1);
  });

  it('the instrument path past the SDK’s cardinality limit says how to raise it', async () => {
    const lines = recordingDiag();
    const reader = new PlainReader();
    const pm = new PublishingMetricsCollector({
      meterProvider: new MeterProvider({ readers: [reader] }),
      maxTargets: 3000,
    });
    for (let i = 0; i < 2100; i++) pm.queue.recordRetry(`hook-${i}`, 'transient');
    await reader.collect();
    expect(lines.some((l) => l.includes('aggregationCardinalityLimit'))).toBe(true);
  });
});

describe('a taken port names the option to change', () => {
  it('startStatsServer on a port in use', async () => {
    const { startStatsServer } = await import('../../src/index.js');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const pm = new PublishingMetricsCollector({ meterProvider: false });
      await expect(startStatsServer({ source: pm, port, trends: false })).rejects.toThrow(
        `stats server cannot listen on 127.0.0.1:${port} (address already in use): choose another port (startStatsServer({ port })`,
      );
    } finally {
      blocker.close();
    }
  });
});
