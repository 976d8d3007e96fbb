/**
 * Our Prometheus text serializer against the exporter package's `PrometheusSerializer`: byte for
 * byte over hostile input with every option combination, and, where two metrics share a
 * Prometheus name, the grouping of exporter-prometheus 0.300+ (checked against that serializer
 * when it is available: installed, or in `.compat/` after `scripts/compat-node22.sh`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { diag, DiagLogLevel, ValueType, type Attributes } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  DataPointType,
  MeterProvider,
  type DataPoint,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusTextSerializer } from '../../src/export/prometheus-text.js';

type Serialize = (rm: ResourceMetrics) => string;
type SerializerClass = new (
  prefix?: string,
  appendTimestamp?: boolean,
  withResourceConstantLabels?: RegExp,
  withoutTargetInfo?: boolean,
  withoutScopeInfo?: boolean,
) => { serialize: Serialize };

const OPTIONS = [
  { withoutScopeInfo: false, withoutTargetInfo: false },
  { withoutScopeInfo: true, withoutTargetInfo: false },
  { withoutScopeInfo: false, withoutTargetInfo: true },
  { withoutScopeInfo: true, withoutTargetInfo: true },
] as const;

function theirs(Serializer: SerializerClass, o: (typeof OPTIONS)[number]): Serialize {
  const s = new Serializer(undefined, false, undefined, o.withoutTargetInfo, o.withoutScopeInfo);
  return (rm) => s.serialize(rm);
}

/** The exporter groups metrics by Prometheus name from 0.300 on (0.223 writes each one). */
function groupsFamilies(Serializer: SerializerClass): boolean {
  return '_collectMetricFamilies' in Serializer.prototype;
}

const COMPAT_SERIALIZER = fileURLToPath(
  new URL(
    '../../.compat/node22/sdk-3.1.1/node_modules/@opentelemetry/exporter-prometheus/dist/PrometheusSerializer.mjs',
    import.meta.url,
  ),
);

/** exporter-prometheus 0.300+'s serializer: the installed one, or the compat tree's. */
async function newerSerializer(): Promise<SerializerClass | undefined> {
  if (groupsFamilies(PrometheusSerializer as SerializerClass)) {
    return PrometheusSerializer as SerializerClass;
  }
  if (!existsSync(COMPAT_SERIALIZER)) return undefined;
  const module = (await import(/* @vite-ignore */ COMPAT_SERIALIZER)) as {
    PrometheusSerializer: SerializerClass;
  };
  return module.PrometheusSerializer;
}

const T0: [number, number] = [1_700_000_000, 0];
const T1: [number, number] = [1_700_000_060, 5];

function point<T>(attributes: Attributes, value: T): DataPoint<T> {
  return { attributes, startTime: T0, endTime: T1, value };
}

function histogram(
  boundaries: number[],
  counts: number[],
  sum: number | undefined = counts.reduce((a, b) => a + b, 0) * 1.5,
): Histogram {
  const h: Histogram = {
    buckets: { boundaries, counts },
    count: counts.reduce((a, b) => a + b, 0),
  };
  if (sum !== undefined) h.sum = sum;
  return h;
}

function descriptor(name: string, description = 'help text', unit = '') {
  return { name, description, unit, valueType: ValueType.DOUBLE };
}

function sum(
  name: string,
  monotonic: boolean,
  points: Array<DataPoint<number>>,
  description?: string,
  unit?: string,
): MetricData {
  return {
    descriptor: descriptor(name, description, unit),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: monotonic,
    dataPoints: points,
  };
}

function gauge(
  name: string,
  points: Array<DataPoint<number>>,
  description?: string,
  unit?: string,
): MetricData {
  return {
    descriptor: descriptor(name, description, unit),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints: points,
  };
}

function histogramMetric(
  name: string,
  points: Array<DataPoint<Histogram>>,
  description?: string,
  unit?: string,
): MetricData {
  return {
    descriptor: descriptor(name, description, unit),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: points,
  };
}

const HOSTILE: Attributes = {
  quote: 'say "hi"',
  backslash: 'C:\\path\\to',
  newline: 'line one\nline two',
  all: '\\"\n\\n"',
  unicode: 'Grüße 日本語 🚀',
  empty: '',
  'http.method': 'GET',
  'dash-ed': 'x',
  '1digit': 'y',
  ключ: 'значение',
  'many...dots': 'z',
};

const NON_STRING: Attributes = {
  int: 42,
  float: 1.5,
  negative: -0.25,
  yes: true,
  no: false,
  strings: ['a', 'b"c', 'd\\e', 'f\ng'],
  numbers: [1, 2.5, -3],
  withHoles: [true, null, undefined, false],
  stringHoles: ['x', null, undefined],
  missing: undefined,
};

function richResourceMetrics(): ResourceMetrics {
  const frozen = Object.freeze({ target: 'slack-ops', state: 'failed' });
  const scopeA: ScopeMetrics = {
    scope: { name: 'alert-history "publishing"', version: '1.2.3', schemaUrl: 'https://x/1.2' },
    metrics: [
      sum('requests', true, [point({}, 3), point(HOSTILE, 7), point(NON_STRING, 11)]),
      sum('already_total', true, [point(frozen, 1)], 'already has the suffix', '1'),
      sum('queue.depth', false, [point({ q: 'high' }, -4), point({ q: 'low' }, 0)]),
      gauge('values', [
        point({ v: 'nan' }, NaN),
        point({ v: 'inf' }, Infinity),
        point({ v: '-inf' }, -Infinity),
        point({ v: '-0' }, -0),
        point({ v: 'big' }, 1e21),
        point({ v: 'small' }, 1e-7),
        point({ v: 'sum' }, 0.1 + 0.2),
        point({ v: 'int' }, 2 ** 60),
        point({ v: 'fraction' }, 123456.789e-3),
      ]),
      gauge('1st-metric', [point({ a: 'b' }, 1)], '', 'seconds'),
      gauge('weird..name--x', [point({}, 2)], 'help with \\ backslash\nand newline "quotes"'),
      gauge('ünïcode_name', [point({}, 3)], 'unit needs escaping', 'By\\s\n'),
      gauge('no_points', [], 'a metric without data points'),
      sum('empty_sum', true, []),
    ],
  };
  const scopeB: ScopeMetrics = {
    scope: { name: 'second-scope' },
    metrics: [
      histogramMetric(
        'latency.seconds',
        [
          point({ target: 'a' }, histogram([0.005, 0.1, 1, 10], [1, 0, 3, 2, 5])),
          point(frozen, histogram([0.005, 0.1, 1, 10], [0, 0, 0, 0, 0], 0)),
          point({}, histogram([0.005, 0.1, 1, 10], [2, 2, 2, 2, 2], undefined)),
          point(HOSTILE, histogram([1, 2], [1, 1, 1])),
          point({ le: 'user label' }, histogram([1], [4, 5])),
        ],
        'latency',
        's',
      ),
      histogramMetric('with_infinity', [
        point({ case: 'inf-last' }, histogram([1, 10, Infinity], [1, 2, 3])),
        point({ case: 'inf-and-more' }, histogram([1, Infinity], [1, 2, 3, 4])),
        point({ case: 'no-bounds' }, histogram([], [6])),
        point({ case: 'fractional' }, histogram([0.25, 2.5e-3, 1e21], [1, 1, 1, 1])),
      ]),
      {
        descriptor: descriptor('exponential'),
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
        dataPoints: [
          point(
            {},
            {
              count: 1,
              sum: 1,
              scale: 0,
              zeroCount: 0,
              positive: { offset: 0, bucketCounts: [1] },
              negative: { offset: 0, bucketCounts: [] },
            },
          ),
        ],
      },
    ],
  };
  const scopeC: ScopeMetrics = { scope: { name: '', version: '' }, metrics: [] };
  return {
    resource: resourceFromAttributes({
      'service.name': 'svc "quoted"',
      'service.instance.id': 'host\\1\nx',
      'process.pid': 1234,
      'deployment.flags': ['a', 'b'],
    }),
    scopeMetrics: [scopeA, scopeB, scopeC],
  };
}

/** A collection by the SDK itself: real instruments, default and explicit (Infinity) buckets. */
async function sdkResourceMetrics(): Promise<{ rm: ResourceMetrics; close: () => Promise<void> }> {
  const reader = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'sdk-test' }),
    readers: [reader],
    views: [
      {
        instrumentName: 'explicit_histogram',
        aggregation: {
          type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
          options: { boundaries: [1, 5, Infinity] },
        },
      },
    ],
  });
  const meter = provider.getMeter('sdk-meter', '0.0.1', { schemaUrl: 'https://schema/1' });
  const counter = meter.createCounter('sdk.counter', { description: 'a counter', unit: 'ms' });
  counter.add(5, { route: '/a"b' });
  counter.add(2.5, {});
  meter.createUpDownCounter('sdk_updown').add(-3, { k: 1 });
  const h = meter.createHistogram('sdk_histogram', { description: 'default buckets' });
  for (const v of [0.3, 7, 99, 12_000]) h.record(v, { kind: 'x\ny' });
  const e = meter.createHistogram('explicit_histogram');
  for (const v of [0.5, 3, 8, 1e9]) e.record(v);
  meter
    .createObservableGauge('sdk_gauge', { description: 'observed' })
    .addCallback((r) => r.observe(Number.NaN, { bool: true }));
  const { resourceMetrics } = await reader.collect();
  return { rm: resourceMetrics, close: () => provider.shutdown() };
}

interface Captured {
  warn: string[];
  error: string[];
}

function captureDiag(): Captured {
  const captured: Captured = { warn: [], error: [] };
  diag.setLogger(
    {
      error: (m: string) => captured.error.push(m),
      warn: (m: string) => captured.warn.push(m),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return captured;
}

let Newer: SerializerClass | undefined;
beforeAll(async () => {
  Newer = await newerSerializer();
});
afterEach(() => diag.disable());

describe('Prometheus text, byte for byte the exporter package', () => {
  for (const o of OPTIONS) {
    const label = `scope info ${o.withoutScopeInfo ? 'off' : 'on'}, target_info ${o.withoutTargetInfo ? 'off' : 'on'}`;

    it(`hostile names, labels and values; ${label}`, () => {
      captureDiag();
      const rm = richResourceMetrics();
      const expected = theirs(PrometheusSerializer as SerializerClass, o)(rm);
      const ours = new PrometheusTextSerializer(o);
      expect(ours.serialize(rm)).toBe(expected);
      // Again, with the name caches filled (frozen attributes, as the library's recorders make).
      expect(ours.serialize(rm)).toBe(expected);
      for (const size of [1, 100, 4096]) {
        const pieces = [...ours.chunks(rm, size)];
        expect(pieces.join('')).toBe(expected);
        expect(pieces.every((p, i) => i === pieces.length - 1 || p.length >= size)).toBe(true);
      }
      expect(expected).toContain('# HELP _1st_metric description missing\n');
      // Names are unique here: the 0.300+ exporter writes the same.
      if (Newer !== undefined) expect(theirs(Newer, o)(rm)).toBe(expected);
    });

    it(`an SDK collection; ${label}`, async () => {
      const { rm, close } = await sdkResourceMetrics();
      try {
        const expected = theirs(PrometheusSerializer as SerializerClass, o)(rm);
        expect(expected).toContain('explicit_histogram_bucket');
        expect(new PrometheusTextSerializer(o).serialize(rm)).toBe(expected);
        if (Newer !== undefined) expect(theirs(Newer, o)(rm)).toBe(expected);
      } finally {
        await close();
      }
    });

    it(`no metrics; ${label}`, () => {
      const resource = resourceFromAttributes({ 'service.name': 'empty' });
      for (const rm of [
        { resource, scopeMetrics: [] },
        { resource, scopeMetrics: [{ scope: { name: 's' }, metrics: [] }] },
        { resource: resourceFromAttributes({}), scopeMetrics: [] },
      ]) {
        const expected = theirs(PrometheusSerializer as SerializerClass, o)(rm);
        expect(expected).toContain('# no registered metrics');
        expect(new PrometheusTextSerializer(o).serialize(rm)).toBe(expected);
      }
    });
  }

  it('logs what the exporter logs for names that sanitize to nothing and unknown point types', () => {
    const rm: ResourceMetrics = {
      resource: resourceFromAttributes({}),
      scopeMetrics: [
        {
          scope: { name: 's' },
          metrics: [gauge('...', [point({}, 1)]), gauge('', [point({}, 1)]), gauge('ok', [])],
        },
      ],
    };
    const o = OPTIONS[3];
    const logged = captureDiag();
    const expected = theirs(PrometheusSerializer as SerializerClass, o)(rm);
    const theirErrors = [...logged.error];
    logged.error.length = 0;
    expect(new PrometheusTextSerializer(o).serialize(rm)).toBe(expected);
    expect(logged.error).toEqual(theirErrors);
    expect(theirErrors).toHaveLength(2);
  });
});

describe('metrics sharing a Prometheus name (the exporter 0.300+ grouping)', () => {
  const lean = { withoutScopeInfo: true, withoutTargetInfo: true };

  function resourceMetrics(...scopes: Array<[string, MetricData[]]>): ResourceMetrics {
    return {
      resource: resourceFromAttributes({ 'service.name': 'dup' }),
      scopeMetrics: scopes.map(([name, metrics]) => ({ scope: { name, version: '1' }, metrics })),
    };
  }

  /** Our output, compared with the newer exporter's when it is available. */
  function check(rm: ResourceMetrics, o: (typeof OPTIONS)[number], expected: string): void {
    expect(new PrometheusTextSerializer(o).serialize(rm)).toBe(expected);
    if (Newer !== undefined) expect(theirs(Newer, o)(rm)).toBe(expected);
  }

  it('is checked against exporter-prometheus 0.300+ when it is available', () => {
    // Informational: without it the expectations below are the only check.
    if (Newer === undefined)
      console.warn('exporter-prometheus 0.300+ not found; run scripts/compat-node22.sh');
    expect(true).toBe(true);
  });

  it('one family, metadata written once, for the same name in two scopes', () => {
    captureDiag();
    const rm = resourceMetrics(
      [
        'a',
        [sum('jobs', true, [point({ t: 'x' }, 1)], 'jobs done'), gauge('other', [point({}, 5)])],
      ],
      ['b', [sum('jobs', true, [point({ t: 'y' }, 2)], 'jobs done')]],
    );
    check(
      rm,
      OPTIONS[2],
      '# HELP jobs_total jobs done\n# TYPE jobs_total counter\n' +
        'jobs_total{t="x",otel_scope_name="a",otel_scope_version="1"} 1\n' +
        'jobs_total{t="y",otel_scope_name="b",otel_scope_version="1"} 2\n' +
        '# HELP other help text\n# TYPE other gauge\n' +
        'other{otel_scope_name="a",otel_scope_version="1"} 5\n',
    );
  });

  it('names equal after sanitizing share a family; HELP and UNIT conflicts keep the first', () => {
    const logged = captureDiag();
    const rm = resourceMetrics([
      'a',
      [
        gauge('temp.c', [point({ at: '1' }, 1)], '', ''),
        gauge('temp_c', [point({ at: '2' }, 2)], 'first help', 'cel'),
        gauge('temp-c', [point({ at: '3' }, 3)], 'second help', 'kel'),
      ],
    ]);
    check(
      rm,
      lean,
      '# HELP temp_c first help\n# UNIT temp_c cel\n# TYPE temp_c gauge\n' +
        'temp_c{at="1"} 1\ntemp_c{at="2"} 2\ntemp_c{at="3"} 3\n',
    );
    expect(logged.warn.filter((w) => /Conflicting (HELP|UNIT)/.test(w)).length).toBeGreaterThan(0);
  });

  it('a TYPE conflict drops the family and warns once while it lasts', () => {
    const logged = captureDiag();
    const conflicting = resourceMetrics(
      ['a', [gauge('thing', [point({}, 1)]), gauge('kept', [point({}, 2)])]],
      [
        'b',
        [
          histogramMetric('thing', [point({}, histogram([1], [1, 1]))]),
          gauge('thing', [point({}, 3)]),
        ],
      ],
    );
    const ours = new PrometheusTextSerializer(lean);
    const expected = '# HELP kept help text\n# TYPE kept gauge\nkept 2\n';
    expect(ours.serialize(conflicting)).toBe(expected);
    expect(ours.serialize(conflicting)).toBe(expected);
    expect(logged.warn).toEqual([
      'Conflicting TYPE comments for metric "thing": "gauge", "histogram"; dropping the metric.',
    ]);
    // The conflict goes away, then comes back: warned again.
    ours.serialize(resourceMetrics(['a', [gauge('thing', [point({}, 1)])]]));
    ours.serialize(conflicting);
    expect(logged.warn).toHaveLength(2);
    if (Newer !== undefined) expect(theirs(Newer, lean)(conflicting)).toBe(expected);
  });

  it('a counter and a gauge both named x_total conflict', () => {
    captureDiag();
    const rm = resourceMetrics([
      'a',
      [sum('x', true, [point({}, 1)]), gauge('x_total', [point({}, 2)]), gauge('y', [])],
    ]);
    check(rm, lean, '# HELP y help text\n# TYPE y gauge\n');
  });

  it('only conflicting metrics: no registered metrics', () => {
    captureDiag();
    const rm = resourceMetrics(['a', [gauge('z', [point({}, 1)]), sum('z', false, [])]]);
    // A non-monotonic sum is a gauge: no conflict, one family.
    check(rm, lean, '# HELP z help text\n# TYPE z gauge\nz 1\n');
    const conflict = resourceMetrics(['a', [gauge('z', [point({}, 1)]), histogramMetric('z', [])]]);
    check(conflict, lean, '# no registered metrics');
    check(
      conflict,
      OPTIONS[1],
      '# HELP target_info Target metadata\n# TYPE target_info gauge\n' +
        'target_info{service_name="dup"} 1\n# no registered metrics',
    );
  });

  it('a metric named target_info joins the resource family when target_info is on', () => {
    captureDiag();
    const rm = resourceMetrics([
      'a',
      [gauge('target_info', [point({ extra: 'yes' }, 1)], 'mine', 'u'), gauge('g', [point({}, 1)])],
    ]);
    check(
      rm,
      OPTIONS[1],
      '# HELP target_info Target metadata\n# UNIT target_info u\n# TYPE target_info gauge\n' +
        'target_info{service_name="dup"} 1\ntarget_info{extra="yes"} 1\n' +
        '# HELP g help text\n# TYPE g gauge\ng 1\n',
    );
    check(
      rm,
      lean,
      '# HELP target_info mine\n# UNIT target_info u\n# TYPE target_info gauge\n' +
        'target_info{extra="yes"} 1\n# HELP g help text\n# TYPE g gauge\ng 1\n',
    );
  });
});
