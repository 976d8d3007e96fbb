/**
 * The demo service as a user runs it (`npx tsx examples/alert-publisher/main.ts`), in a child
 * process on free ports, with its stdout kept: the chaos timeline (`chaos: start <fault>`) and
 * the delivery lines of `--log-deliveries` are what the alert-loop tests read it by.
 */
import { spawn } from 'node:child_process';
import { freePort, REPO_ROOT } from '../support/backends.js';

export interface DemoProcess {
  intakeUrl: string;
  intakePort: number;
  metricsUrl: string;
  /** `host:port` of /metrics, for a Prometheus scrape target. */
  scrapeTarget: string;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Lines printed so far, each with the time (ms since epoch) it arrived. */
  lines(): readonly { at: number; text: string }[];
  /** GET /metrics. */
  metrics(): Promise<string>;
  /** SIGTERM (SIGKILL after 8 s); resolves when the process is gone. */
  stop(): Promise<void>;
}

/** Ports chosen before the start, so Prometheus and Alertmanager can be configured first. */
export interface DemoPorts {
  metricsPort: number;
  statsPort: number;
  intakePort: number;
}

export async function freeDemoPorts(): Promise<DemoPorts> {
  return {
    metricsPort: await freePort(),
    statsPort: await freePort(),
    intakePort: await freePort(),
  };
}

export const demoUrls = (ports: DemoPorts) => ({
  intakeUrl: `http://127.0.0.1:${ports.intakePort}/webhook/alertmanager`,
  scrapeTarget: `127.0.0.1:${ports.metricsPort}`,
});

export async function startDemoProcess(
  args: readonly string[],
  ports?: DemoPorts,
): Promise<DemoProcess> {
  const { metricsPort, statsPort, intakePort } = ports ?? (await freeDemoPorts());
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'examples/alert-publisher/main.ts',
      '--quiet',
      '--metrics-port',
      String(metricsPort),
      '--stats-port',
      String(statsPort),
      '--intake-port',
      String(intakePort),
      ...args,
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_METRICS_EXPORTER: '' },
    },
  );
  let output = '';
  const lines: { at: number; text: string }[] = [];
  let partial = '';
  const keep = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output += text;
    if (output.length > 4_000_000) output = output.slice(-2_000_000);
    partial += text;
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    const at = Date.now();
    for (const line of complete) lines.push({ at, text: line });
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const stop = async (): Promise<void> => {
    if (!gone()) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8_000))]);
    if (!gone()) child.kill('SIGKILL');
    await exited;
  };
  process.once('exit', () => {
    if (!gone()) child.kill('SIGKILL');
  });

  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const demo: DemoProcess = {
    intakeUrl: `http://127.0.0.1:${intakePort}/webhook/alertmanager`,
    intakePort,
    metricsUrl,
    scrapeTarget: `127.0.0.1:${metricsPort}`,
    output: () => output,
    lines: () => lines,
    metrics: async () => (await fetch(metricsUrl)).text(),
    stop,
  };
  // tsx compiles the demo on start: ~3 s alone, far more on a 2-core runner busy with other tests.
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && !gone()) {
    // The intake line is printed after every server is up.
    if (output.includes('intake: http://')) return demo;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`the demo did not start:\n${output.slice(-4000)}`);
}

/**
 * Sum of the samples of `name` on a /metrics body whose labels include every pair of `labels`.
 * A name without any sample sums to 0.
 */
export function sampleSum(body: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of body.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    const close = rest[0] === '{' ? rest.indexOf('}') : 0;
    const labelText = rest[0] === '{' ? rest.slice(1, close) : '';
    const matches = Object.entries(labels).every(([key, value]) =>
      labelText.includes(`${key}="${value}"`),
    );
    if (matches)
      sum += Number(
        rest
          .slice(close + 1)
          .trim()
          .split(' ')[0],
      );
  }
  return sum;
}

/** Delivery lines of `--log-deliveries`: `delivered <status> <alertname> <fingerprint> -> <target>`. */
export interface Delivered {
  at: number;
  status: string;
  alertname: string;
  fingerprint: string;
  target: string;
}

export function deliveries(demo: DemoProcess): Delivered[] {
  const out: Delivered[] = [];
  for (const { at, text } of demo.lines()) {
    const m = /^delivered (\S+) (\S+) (\S+) -> (\S+)$/.exec(text);
    if (m) out.push({ at, status: m[1]!, alertname: m[2]!, fingerprint: m[3]!, target: m[4]! });
  }
  return out;
}
