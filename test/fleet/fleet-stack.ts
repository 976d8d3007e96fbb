/**
 * A fleet on one machine: N demo replicas (`examples/alert-publisher/main.ts`, each with its own
 * ports, `--instance` and `--seed`), scraped by one real Prometheus evaluating the recording
 * rules, and pushing OTLP http/protobuf into one real VictoriaMetrics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  freePort,
  REPO_ROOT,
  startPrometheus,
  startVictoriaMetrics,
  waitForQuery,
  type RunningBackend,
} from '../support/backends.js';

export const FLEET_RULES_FILE = join(
  REPO_ROOT,
  'collector-config',
  'prometheus',
  'rules',
  'publishing-fleet.yml',
);

export interface Replica {
  readonly instance: string;
  readonly metricsUrl: string;
  readonly statsUrl: string;
  output(): string;
}

export interface FleetStack {
  readonly replicas: readonly Replica[];
  readonly prometheus: RunningBackend;
  readonly victoria: RunningBackend | undefined;
  stop(): Promise<void>;
}

export interface FleetStackOptions {
  replicas: number;
  /** Extra generated webhook targets per replica (`--targets`). */
  extraTargets?: number;
  /** Alerts per second per replica. */
  rate?: number;
  /** Also push OTLP into a VictoriaMetrics the stack starts. */
  victoria?: boolean;
  durationSeconds?: number;
  /** Indexes of replicas that loop the demo's failure scenario (`--chaos`). */
  chaos?: readonly number[];
}

const hasSetpriv = existsSync('/usr/bin/setpriv');

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function startReplica(
  index: number,
  options: FleetStackOptions,
  otlpEndpoint: string | undefined,
  children: ChildProcess[],
): Promise<Replica> {
  const [metricsPort, statsPort] = [await freePort(), await freePort()];
  const instance = `replica-${String.fromCharCode(97 + index)}`;
  const args = [
    '--import',
    'tsx',
    'examples/alert-publisher/main.ts',
    '--quiet',
    '--duration',
    String(options.durationSeconds ?? 300),
    '--rate',
    String(options.rate ?? 20),
    '--metrics-port',
    String(metricsPort),
    '--stats-port',
    String(statsPort),
    '--intake-port',
    '0',
    '--instance',
    instance,
    '--seed',
    String(101 + index * 17),
    ...(options.extraTargets ? ['--targets', String(options.extraTargets)] : []),
    ...(options.chaos?.includes(index) ? ['--chaos'] : []),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, OTEL_METRIC_EXPORT_INTERVAL: '1000' };
  delete env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (otlpEndpoint !== undefined) {
    env['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'] = otlpEndpoint;
    env['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL'] = 'http/protobuf';
  } else {
    delete env['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'];
  }
  const [cmd, cmdArgs] = hasSetpriv
    ? ['/usr/bin/setpriv', ['--pdeathsig', 'SIGKILL', '--', process.execPath, ...args]]
    : [process.execPath, args];
  const child = spawn(cmd, cmdArgs, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-16_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(2000) });
      const body = await res.text();
      if (res.ok && body.includes('jobs_processed_total')) {
        return {
          instance,
          metricsUrl,
          statsUrl: `http://127.0.0.1:${statsPort}`,
          output: () => output,
        };
      }
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`replica ${instance} did not serve /metrics:\n${output.slice(-4000)}`);
}

export async function startFleetStack(options: FleetStackOptions): Promise<FleetStack> {
  const children: ChildProcess[] = [];
  const kill = () => children.forEach((c) => c.kill('SIGKILL'));
  process.once('exit', kill);
  let victoria: RunningBackend | undefined;
  let prometheus: RunningBackend | undefined;
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    process.off('exit', kill);
    await Promise.all([prometheus?.stop(), victoria?.stop()]);
  };
  try {
    if (options.victoria) victoria = await startVictoriaMetrics();
    const endpoint = victoria && `${victoria.url}/opentelemetry/v1/metrics`;
    const replicas = await Promise.all(
      Array.from({ length: options.replicas }, (_, i) =>
        startReplica(i, options, endpoint, children),
      ),
    );
    prometheus = await startPrometheus({
      scrapeTargets: replicas.map((r) => r.metricsUrl),
      // 1 s scrapes timed out under the load of a full test run (3 replicas, 2 cores), and a
      // timed-out scrape marks every series of the replica stale.
      scrapeIntervalSeconds: 2,
      ruleFiles: [FLEET_RULES_FILE],
      jobName: 'alert-publisher',
    });
    await waitForQuery(
      prometheus.url,
      'count(count_over_time(up{job="alert-publisher"}[1m]) >= 3)',
      (r) => Number(r[0]?.value[1]) === options.replicas,
      30_000,
    );
    return { replicas, prometheus, victoria, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
