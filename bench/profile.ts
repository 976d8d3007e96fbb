/**
 * `npm run bench -- --profile collectAll|scrape [--n 1000]`: runs only our side of a case in a
 * child process under `node --cpu-prof`, which writes `bench/results/<case>-N<n>.cpuprofile`
 * (open it in Chrome DevTools), and prints the frames with the most self time.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { benchScript, progress, REPO_ROOT } from './harness.js';
import { fetchBytes } from './http.js';
import { scrapeSetup } from './cases/scrape.js';
import { readyWorkload } from './workload.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `function file:line`, with paths from the package (`@opentelemetry/...`) or from `src/`. */
function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url
    .replace(/^file:\/\//, '')
    .replace(/^.*otel-publishing-metrics-bench\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace('/build/src/', '/');
  return `${functionName || '(anonymous)'} ${file}${url ? `:${lineNumber + 1}` : ''}`;
}

/** Self time per frame, largest first, as shares of the busy (non-idle) time. */
export function topFrames(profile: CpuProfile, count = 20): Array<[string, number]> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const dt = profile.timeDeltas[i] ?? 0;
    const name = frameName(node);
    if (name.startsWith('(idle)') || name.startsWith('(program)')) return;
    busy += dt;
    self.set(name, (self.get(name) ?? 0) + dt);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, t]) => [name, t / busy]);
}

/** The profiled loop, in the child process `node --cpu-prof` runs. */
async function profiledLoop(name: string, n: number, iterations: number): Promise<void> {
  let op: () => Promise<unknown>;
  let close: () => Promise<void>;
  if (name === 'collectAll') {
    const workload = await readyWorkload(n);
    op = () => workload.collector.collectAll();
    close = () => workload.shutdown();
  } else {
    const setup = await scrapeSetup(n, ['library']);
    op = () => fetchBytes(`${setup.served.url}/library`);
    close = () => setup.close();
  }
  // Setup and warm-up are in the profile too, but small next to the loop.
  for (let i = 0; i < iterations; i++) await op();
  await close();
}

export async function profileCase(name: string, n: number, quick: boolean): Promise<void> {
  if (name !== 'collectAll' && name !== 'scrape') {
    throw new Error(`--profile takes collectAll or scrape, not '${name}'`);
  }
  const iterations = Math.max(5, Math.round((quick ? 20_000 : 100_000) / n));
  const dir = join(REPO_ROOT, 'bench', 'results');
  const fileName = `${name}-N${n}.cpuprofile`;
  progress(`profiling ${name} at N=${n}: ${iterations} runs under node --cpu-prof`);
  await promisify(execFile)(
    process.execPath,
    [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      `--cpu-prof-name=${fileName}`,
      ...benchScript('profile'),
      name,
      String(n),
      String(iterations),
    ],
    { cwd: REPO_ROOT, timeout: 600_000 },
  );
  const file = join(dir, fileName);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${relative(REPO_ROOT, file)}: top frames by self time\n`);
  for (const [frame, share] of topFrames(profile)) {
    process.stdout.write(`${(share * 100).toFixed(1).padStart(5)}%  ${frame}\n`);
  }
}

// Run as a script (the child): `profile.js <case> <n> <iterations>`.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [name, n, iterations] = process.argv.slice(2);
  await profiledLoop(name!, Number(n), Number(iterations));
}
