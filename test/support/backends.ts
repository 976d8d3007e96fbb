/**
 * Real metric backends for integration tests: Prometheus 2.42 / promtool,
 * VictoriaMetrics and Alertmanager 0.25 / amtool, provisioned by `bash scripts/backends.sh`
 * into `.backends/`.
 *
 * Usage in a test file:
 *   const vmBin = requireBackend('victoria-metrics');
 *   describe.skipIf(!vmBin)('against VictoriaMetrics', () => { ... startVictoriaMetrics() ... });
 *
 * Only node built-ins are used. Every started process is killed on stop(), and on
 * process exit as a fallback; where `setpriv` exists the child also gets a
 * parent-death SIGKILL, so it cannot outlive a test worker that is killed hard.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BACKENDS_DIR = join(REPO_ROOT, '.backends');

export const BACKEND_PATHS = {
  prometheus: join(BACKENDS_DIR, 'prometheus', 'usr', 'bin', 'prometheus'),
  promtool: join(BACKENDS_DIR, 'prometheus', 'usr', 'bin', 'promtool'),
  'victoria-metrics': join(BACKENDS_DIR, 'victoria-metrics', 'usr', 'bin', 'victoria-metrics'),
  alertmanager: join(BACKENDS_DIR, 'alertmanager', 'usr', 'bin', 'prometheus-alertmanager'),
  amtool: join(BACKENDS_DIR, 'alertmanager', 'usr', 'bin', 'amtool'),
} as const;

/**
 * Debian's Alertmanager reads its templates from this fixed folder and rejects every config
 * without them; `scripts/backends.sh` puts them there when run as root.
 */
export const ALERTMANAGER_TEMPLATES = ['default.tmpl', 'email.tmpl'].map((t) =>
  join('/usr/share/prometheus/alertmanager', t),
);

export type BackendName = keyof typeof BACKEND_PATHS;

export const PROMETHEUS_BIN = BACKEND_PATHS.prometheus;
export const PROMTOOL_BIN = BACKEND_PATHS.promtool;
export const VICTORIA_METRICS_BIN = BACKEND_PATHS['victoria-metrics'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function missingBackendMessage(name: BackendName): string {
  if ((name === 'alertmanager' || name === 'amtool') && isExecutable(BACKEND_PATHS[name]))
    return (
      `BACKEND MISSING: ${ALERTMANAGER_TEMPLATES.join(', ')} (Debian's Alertmanager needs its ` +
      `templates there). Run \`bash scripts/backends.sh\` as root, or copy them from ` +
      `${join(BACKENDS_DIR, 'alertmanager', 'usr', 'share', 'prometheus', 'alertmanager')}.`
    );
  return (
    `BACKEND MISSING: ${name} not found at ${BACKEND_PATHS[name]}. ` +
    `Run \`bash scripts/backends.sh\` at the repo root to provision it.`
  );
}

const warned = new Set<BackendName>();

/**
 * Path of the backend binary if it is there. Otherwise: under CI (`CI=true`) throws;
 * elsewhere prints a loud warning (once per backend) and returns undefined so the
 * caller can skip.
 */
export function requireBackend(name: BackendName): string | undefined {
  const path = BACKEND_PATHS[name];
  if (isExecutable(path) && backendUsable(name)) return path;
  const message = missingBackendMessage(name);
  if (process.env.CI === 'true') {
    throw new Error(`${message} (CI=true: refusing to skip)`);
  }
  if (!warned.has(name)) {
    warned.add(name);
    console.warn(`\n!!!!!!!! ${message} Tests needing it are SKIPPED. !!!!!!!!\n`);
  }
  return undefined;
}

function backendUsable(name: BackendName): boolean {
  return (name !== 'alertmanager' && name !== 'amtool') || ALERTMANAGER_TEMPLATES.every(existsSync);
}

function binaryOrThrow(name: BackendName): string {
  const path = BACKEND_PATHS[name];
  if (!isExecutable(path) || !backendUsable(name)) throw new Error(missingBackendMessage(name));
  return path;
}

/** A free TCP port on 127.0.0.1 (listen on port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: unexpected server address'));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolvePort(port)));
    });
  });
}

// ---------------------------------------------------------------------------
// Process bookkeeping

interface Tracked {
  child: ChildProcess;
  dir: string;
}

const live = new Set<Tracked>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const t of live) {
      try {
        t.child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
      try {
        rmSync(t.dir, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    }
    live.clear();
  });
}

const hasSetpriv = existsSync('/usr/bin/setpriv');

function spawnTracked(
  bin: string,
  args: string[],
  dir: string,
): { tracked: Tracked; output: () => string } {
  installExitHook();
  const [cmd, cmdArgs] = hasSetpriv
    ? ['/usr/bin/setpriv', ['--pdeathsig', 'SIGKILL', '--', bin, ...args]]
    : [bin, args];
  const child = spawn(cmd, cmdArgs, {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer): void => {
    out += chunk.toString('utf8');
    if (out.length > 64 * 1024) out = out.slice(-32 * 1024);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (err) => keep(Buffer.from(`spawn error: ${err.message}\n`)));
  const tracked = { child, dir };
  live.add(tracked);
  return { tracked, output: () => out };
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((res) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      res(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      res(true);
    };
    child.once('exit', onExit);
  });
}

async function stopTracked(t: Tracked): Promise<void> {
  if (!exited(t.child)) {
    t.child.kill('SIGTERM');
    if (!(await waitExit(t.child, 3000))) {
      t.child.kill('SIGKILL');
      await waitExit(t.child, 5000);
    }
  }
  live.delete(t);
  rmSync(t.dir, { recursive: true, force: true });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface RunningBackend {
  /** Base URL, e.g. http://127.0.0.1:43123 (no trailing slash). */
  url: string;
  port: number;
  /** Temp dir holding data and config; removed by stop(). */
  dir: string;
  /** Captured stdout+stderr tail, for diagnostics. */
  logs(): string;
  /** SIGTERM, SIGKILL after 3 s, then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts `bin args(port)` in a fresh temp dir and polls `readyPath` until it answers
 * 2xx. Retries on another port if the process dies early (e.g. port race).
 */
async function startBackend(
  name: string,
  bin: string,
  makeArgs: (port: number, dir: string) => string[],
  readyPath: string,
  timeoutMs: number,
  prepareDir?: (dir: string, port: number) => void,
): Promise<RunningBackend> {
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), `otel-pm-${name}-`));
    prepareDir?.(dir, port);
    const { tracked, output } = spawnTracked(bin, makeArgs(port, dir), dir);
    const url = `http://127.0.0.1:${port}`;
    let stopping: Promise<void> | undefined;
    const backend: RunningBackend = {
      url,
      port,
      dir,
      logs: output,
      stop: () => (stopping ??= stopTracked(tracked)),
    };
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !exited(tracked.child)) {
      try {
        const res = await fetch(url + readyPath, {
          signal: AbortSignal.timeout(1000),
        });
        await res.arrayBuffer();
        if (res.ok) return backend;
      } catch {
        /* not listening yet */
      }
      await sleep(50);
    }
    const died = exited(tracked.child);
    await backend.stop();
    lastError =
      `${name} ${died ? `exited (code ${tracked.child.exitCode}, signal ${tracked.child.signalCode})` : `not ready after ${timeoutMs} ms`} ` +
      `on port ${port}. Output tail:\n${output().slice(-4000)}`;
    if (!died) break; // a timeout will not get better on another port
  }
  throw new Error(lastError);
}

// ---------------------------------------------------------------------------
// VictoriaMetrics

export interface StartVictoriaMetricsOptions {
  extraArgs?: string[];
  timeoutMs?: number;
}

/**
 * Single-node VictoriaMetrics on 127.0.0.1:<free port>. Accepts OTLP protobuf at
 * `${url}/opentelemetry/v1/metrics`, Prometheus text at `${url}/api/v1/import/prometheus`.
 */
export function startVictoriaMetrics(
  options: StartVictoriaMetricsOptions = {},
): Promise<RunningBackend> {
  const bin = binaryOrThrow('victoria-metrics');
  return startBackend(
    'victoria-metrics',
    bin,
    (port, dir) => [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${join(dir, 'data')}`,
      '-retentionPeriod=1d',
      '-search.latencyOffset=0s',
      '-search.disableCache',
      '-opentelemetry.usePrometheusNaming',
      '-loggerLevel=WARN',
      ...(options.extraArgs ?? []),
    ],
    '/health',
    options.timeoutMs ?? 15_000,
  );
}

/**
 * Flushes VictoriaMetrics' in-memory buffers (`GET /internal/force_flush`). Measured on
 * 1.112: metric names are listed at once, but samples of brand-new series become
 * queryable only ~0.5–0.9 s later, so follow it with `waitForQuery`, not a single query.
 */
export async function vmForceFlush(url: string): Promise<void> {
  const res = await fetch(`${url}/internal/force_flush`);
  const body = await res.text();
  if (!res.ok) throw new Error(`force_flush: HTTP ${res.status} ${body}`);
}

// ---------------------------------------------------------------------------
// PromQL (works against Prometheus and VictoriaMetrics)

export interface PromSample {
  metric: Record<string, string>;
  /** Instant vectors: [unixSeconds, "value"]. */
  value: [number, string];
}

/** Runs an instant query at `${url}/api/v1/query` and returns `data.result`. */
export async function promQuery(url: string, query: string): Promise<PromSample[]> {
  const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query })}`);
  const text = await res.text();
  let body: { status?: string; error?: string; data?: { result?: unknown } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`query ${query}: HTTP ${res.status}, not JSON: ${text.slice(0, 500)}`);
  }
  if (!res.ok || body.status !== 'success') {
    throw new Error(`query ${query}: HTTP ${res.status} ${body.error ?? text.slice(0, 500)}`);
  }
  return (body.data?.result ?? []) as PromSample[];
}

/**
 * Polls `query` (every `intervalMs`) until `predicate(result)` is true and returns
 * that result; throws after `timeoutMs` with the last result or error. Prometheus
 * needs ~6 s before a new target's first sample is queryable.
 */
export async function waitForQuery(
  url: string,
  query: string,
  predicate: (result: PromSample[]) => boolean = (r) => r.length > 0,
  timeoutMs = 20_000,
  intervalMs = 200,
): Promise<PromSample[]> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  for (;;) {
    try {
      const result = await promQuery(url, query);
      if (predicate(result)) return result;
      last = `last result: ${JSON.stringify(result).slice(0, 2000)}`;
    } catch (err) {
      last = `last error: ${(err as Error).message}`;
    }
    if (Date.now() >= deadline) {
      throw new Error(`waitForQuery(${query}) timed out after ${timeoutMs} ms; ${last}`);
    }
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------
// Prometheus

export interface StartPrometheusOptions {
  /** `host:port` (path /metrics, http) or full URLs like `http://127.0.0.1:9464/metrics`. */
  scrapeTargets: string[];
  scrapeIntervalSeconds?: number;
  /** Absolute paths of rule files (evaluated every scrape interval). */
  ruleFiles?: string[];
  /** job label of the first (scheme, path) group; further groups get `${jobName}_N`. */
  jobName?: string;
  /** Alertmanagers (`host:port`) the rules' alerts are sent to. */
  alertmanagers?: string[];
  extraArgs?: string[];
  timeoutMs?: number;
}

interface ScrapeGroup {
  scheme: string;
  path: string;
  targets: string[];
}

function groupTargets(targets: string[]): ScrapeGroup[] {
  const groups = new Map<string, ScrapeGroup>();
  for (const target of targets) {
    const u = /^[a-z]+:\/\//i.test(target) ? new URL(target) : new URL(`http://${target}/metrics`);
    const scheme = u.protocol.replace(/:$/, '');
    const path = (u.pathname || '/metrics') + u.search;
    const key = `${scheme} ${path}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { scheme, path, targets: [] }));
    g.targets.push(u.host);
  }
  return [...groups.values()];
}

/** Prometheus 2.42 on 127.0.0.1:<free port>, scraping `scrapeTargets`. */
export function startPrometheus(options: StartPrometheusOptions): Promise<RunningBackend> {
  const bin = binaryOrThrow('prometheus');
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const jobName = options.jobName ?? 'test';
  // JSON is valid YAML, so no YAML writer is needed.
  const config = {
    global: {
      scrape_interval: interval,
      scrape_timeout: interval,
      evaluation_interval: interval,
    },
    rule_files: (options.ruleFiles ?? []).map((f) => resolve(f)),
    ...(options.alertmanagers !== undefined && {
      alerting: { alertmanagers: [{ static_configs: [{ targets: options.alertmanagers }] }] },
    }),
    scrape_configs: groupTargets(options.scrapeTargets).map((g, i) => ({
      job_name: i === 0 ? jobName : `${jobName}_${i}`,
      scheme: g.scheme,
      metrics_path: g.path,
      static_configs: [{ targets: g.targets }],
    })),
  };
  return startBackend(
    'prometheus',
    bin,
    (port, dir) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1d',
      '--log.level=warn',
      ...(options.extraArgs ?? []),
    ],
    '/-/ready',
    options.timeoutMs ?? 15_000,
    (dir) => writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2)),
  );
}

// ---------------------------------------------------------------------------
// Alertmanager

export interface StartAlertmanagerOptions {
  /** alertmanager.yml content (YAML or JSON). */
  config: string;
  extraArgs?: string[];
  timeoutMs?: number;
}

/**
 * Alertmanager 0.25 on 127.0.0.1:<free port>, without clustering (no gossip port). Alerts are
 * posted to `${url}/api/v2/alerts`; what it holds is at `GET ${url}/api/v2/alerts`.
 */
export function startAlertmanager(options: StartAlertmanagerOptions): Promise<RunningBackend> {
  const bin = binaryOrThrow('alertmanager');
  return startBackend(
    'alertmanager',
    bin,
    (port, dir) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=http://127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
      ...(options.extraArgs ?? []),
    ],
    '/-/ready',
    options.timeoutMs ?? 15_000,
    (dir) => writeFileSync(join(dir, 'alertmanager.yml'), options.config),
  );
}
