/**
 * P7 — one OTLP export at N=1000: collect, encode http/protobuf and send to a local receiver (a
 * child process, so its CPU is not counted), with OTel's own `OTLPMetricExporter` (proto). Ours on
 * the producer path and on the instrument path, against the plain-OTel catalog
 * (bench/plain-otel.ts); CPU per export of this process, and the bytes the receiver got.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import {
  costRow,
  interleaveAsync,
  progress,
  round,
  timings,
  type CaseResult,
  type RunOptions,
} from '../harness.js';
import { createPlainOtel } from '../plain-otel.js';
import { fakePorts, readyWorkload } from '../workload.js';
import { dataPoints, PlainReader } from './collect-all.js';

const N = 1000;

/** An OTLP/HTTP receiver answering 200 to every POST; GET answers the last body's size. */
const RECEIVER = `
const http = require('node:http');
let last = 0;
const server = http.createServer((req, res) => {
  if (req.method !== 'POST') { res.end(String(last)); return; }
  let bytes = 0;
  req.on('data', (c) => (bytes += c.length));
  req.on('end', () => { last = bytes; res.writeHead(200, { 'content-type': 'application/x-protobuf' }); res.end(); });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

async function startReceiver(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`OTLP receiver exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

function exportOnce(reader: MetricReader, exporter: OTLPMetricExporter): () => Promise<void> {
  return async () => {
    const { resourceMetrics } = await reader.collect();
    await new Promise<void>((resolve, reject) => {
      exporter.export(resourceMetrics, (result) => {
        if (result.code === ExportResultCode.SUCCESS) resolve();
        else reject(result.error ?? new Error('OTLP export failed'));
      });
    });
  };
}

export async function run(options: RunOptions): Promise<CaseResult[]> {
  progress(`P7 OTLP export at N=${N}: building`);
  const receiver = await startReceiver();
  try {
    const lastBytes = async () => Number(await (await fetch(receiver.url)).text());
    const exporter = () => new OTLPMetricExporter({ url: `${receiver.url}/v1/metrics` });
    let producerReader!: PlainReader;
    const producer = await readyWorkload(N, {
      readers: (metricProducers) => [(producerReader = new PlainReader({ metricProducers }))],
    });
    let instrumentReader!: PlainReader;
    const instrument = await readyWorkload(N, {
      path: 'instruments',
      readers: () => [(instrumentReader = new PlainReader())],
    });
    const plainReader = new PlainReader();
    const plain = createPlainOtel(fakePorts(N), [plainReader]);
    plain.recordAll();
    const ops = {
      producer: exportOnce(producerReader, exporter()),
      instrument: exportOnce(instrumentReader, exporter()),
      otel: exportOnce(plainReader, exporter()),
    };
    const series = {
      producer: dataPoints(await producerReader.collect()),
      instrument: dataPoints(await instrumentReader.collect()),
      otel: dataPoints(await plainReader.collect()),
    };
    const bytes: Record<string, number> = {};
    for (const [name, op] of Object.entries(ops)) {
      await op();
      bytes[name] = await lastBytes();
    }
    progress(`P7 OTLP export at N=${N}: measuring`);
    const time = await interleaveAsync(ops, {
      samplesPerRound: 1,
      rounds: options.quick ? 3 : 12,
      warmupRounds: 1,
    });
    await producer.shutdown();
    await instrument.shutdown();
    await plain.shutdown();
    const mb = (b: number) => `${round(b / 1e6)} MB`;
    return [
      costRow(
        {
          id: 'P7.producer',
          what: `OTLP http/protobuf export N=${N} (collect + encode + send), producer path (${series.producer} series, ${mb(bytes['producer']!)}) vs plain OTel (${series.otel} series, ${mb(bytes['otel']!)})`,
          ...timings(time['producer']!, time['otel']!),
          unit: 'ms CPU',
        },
        { atLeast: 1.5, text: 'ours ≥ 1.5× less CPU (ratio ≥ 1.5)' },
      ),
      costRow(
        {
          id: 'P7.instrument',
          what: `OTLP http/protobuf export N=${N}, instrument path (${series.instrument} series, ${mb(bytes['instrument']!)}) vs plain OTel`,
          ...timings(time['instrument']!, time['otel']!),
          unit: 'ms CPU',
        },
        { atLeast: 1.5, text: 'ours ≥ 1.5× less CPU (ratio ≥ 1.5)' },
      ),
      costRow({
        id: 'P7.bytes',
        what: `OTLP request body per export N=${N}, producer path vs plain OTel (plain OTel folds series past 2,000 per instrument)`,
        ours: bytes['producer']! / 1e6,
        reference: bytes['otel']! / 1e6,
        unit: 'MB',
      }),
    ];
  } finally {
    receiver.child.stdin?.end();
  }
}
