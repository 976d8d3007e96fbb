/**
 * A service whose NodeSDK is configured by the environment only, the usual production way, with
 * this library added in three lines (marked). Every reader NodeSDK builds from
 * `OTEL_METRICS_EXPORTER` exports every catalog metric:
 *
 *   OTEL_METRICS_EXPORTER=prometheus OTEL_EXPORTER_PROMETHEUS_PORT=9464 \
 *     npx tsx examples/nodesdk-env/main.ts --duration 20
 *   OTEL_METRICS_EXPORTER=otlp OTEL_EXPORTER_OTLP_METRICS_PROTOCOL=http/protobuf \
 *     OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=http://127.0.0.1:8428/opentelemetry/v1/metrics \
 *     npx tsx examples/nodesdk-env/main.ts --duration 20
 *
 * The subsystems are in memory; the pipeline's events are recorded once a second.
 */
import { parseArgs } from 'node:util';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { PublishingMetricsCollector } from '../../src/index.js'; // 1
import { inMemorySources, recordSampleTraffic } from '../in-memory-subsystems.js';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '20' } } });
const durationSeconds = Number(values.duration);
if (!(durationSeconds > 0)) throw new Error(`--duration must be a positive number of seconds`);

const sdk = new NodeSDK();
sdk.start();
const publishing = new PublishingMetricsCollector({ sources: inMemorySources }); // 2

const traffic = setInterval(() => recordSampleTraffic(publishing), 1000);
recordSampleTraffic(publishing);
console.log(
  `running for ${durationSeconds} s (OTEL_METRICS_EXPORTER=${process.env['OTEL_METRICS_EXPORTER'] ?? 'otlp'})`,
);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  clearInterval(traffic);
  clearTimeout(deadline);
  await publishing.shutdown(); // 3: final values, exported by the SDK's own shutdown
  await sdk.shutdown();
  console.log('stopped');
};
const deadline = setTimeout(() => void stop(), durationSeconds * 1000);
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
