/**
 * Starts the demo pipeline against embedded fake targets (real loopback HTTP) from a temporary
 * targets file, with intervals shortened so tests finish in seconds.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AlertPipeline,
  type PipelineOptions,
} from '../../examples/alert-publisher/pipeline/pipeline.js';
import { BuiltinTargets } from '../../examples/alert-publisher/targets/builtin-targets.js';
import type { FakeTargetServer } from '../../examples/alert-publisher/targets/fake-target-server.js';
import { RecordingRecorders } from './recording-recorders.js';

export const DEFAULT_TARGETS_FILE = new URL(
  '../../examples/alert-publisher/targets.json',
  import.meta.url,
);

/**
 * The valid entries of the demo's default targets.json (it also keeps one entry of an unsupported
 * type, which discovery rejects on purpose).
 */
export async function defaultTargets(): Promise<Record<string, unknown>[]> {
  return (
    JSON.parse(await readFile(DEFAULT_TARGETS_FILE, 'utf8')) as {
      targets: Record<string, unknown>[];
    }
  ).targets.filter((t) => t['type'] !== 'msteams');
}

export interface Fixture {
  pipeline: AlertPipeline;
  recorders: RecordingRecorders;
  builtins: BuiltinTargets;
  file: string;
  logs: string[];
  server(target: string): FakeTargetServer;
  writeTargets(targets: readonly unknown[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startPipeline(
  targets: readonly unknown[],
  overrides: Partial<PipelineOptions> = {},
): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'alert-publisher-test-'));
  const file = join(dir, 'targets.json');
  const writeTargets = (list: readonly unknown[]) =>
    writeFile(file, JSON.stringify({ targets: list }, null, 2));
  await writeTargets(targets);
  const recorders = new RecordingRecorders();
  const builtins = new BuiltinTargets();
  const logs: string[] = [];
  const pipeline = new AlertPipeline({
    targetsFile: file,
    resolveBuiltin: async (ref, spec) => (await builtins.resolve(ref, spec.name, spec.auth)).url,
    recorders,
    workers: 8,
    // Generous: client and servers share one event loop, and CI runners are often loaded; a late
    // answer would be retried and delivered twice, which is correct but breaks exact counts.
    requestTimeoutMs: 5_000,
    retry: { baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 2_000 },
    circuitBreaker: { failureThreshold: 3, cooldownMs: 300 },
    health: { intervalMs: 100, probeTimeoutMs: 1_000, degradedLatencyMs: 250 },
    refresh: { intervalMs: 60_000, debounceMs: 50, pollIntervalMs: 100 },
    dlq: { replayIntervalMs: 60_000 },
    log: (message) => logs.push(message),
    ...overrides,
  });
  await pipeline.start();
  return {
    pipeline,
    recorders,
    builtins,
    file,
    logs,
    server(target) {
      const server = builtins.serverOf(target);
      if (!server) throw new Error(`no builtin server for ${target}`);
      return server;
    },
    writeTargets,
    async stop() {
      await pipeline.stop(2_000);
      await builtins.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `condition` every 25 ms until true; fails after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
