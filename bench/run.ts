/**
 * `npm run bench` (full) or `npm run bench -- --quick` (under 3 minutes). Options: `--only
 * P1,P3` runs some case groups; `--out <file>` writes the results elsewhere than
 * `bench/results/latest.json`. Prints the table on stdout, progress on stderr.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fullGc, progress, REPO_ROOT, type CaseResult, type RunOptions } from './harness.js';

interface CaseGroup {
  readonly id: string;
  run(options: RunOptions): Promise<CaseResult[]>;
}

const GROUPS: ReadonlyArray<{ id: string; load: () => Promise<CaseGroup['run']> }> = [
  { id: 'P1', load: async () => (await import('./cases/hot-path.js')).run },
  { id: 'P2', load: async () => (await import('./cases/collect-all.js')).run },
  { id: 'P3', load: async () => (await import('./cases/scrape.js')).run },
  { id: 'P4', load: async () => (await import('./cases/stats-api.js')).run },
  { id: 'P5', load: async () => (await import('./cases/scaling.js')).run },
  { id: 'P6', load: async () => (await import('./cases/memory.js')).run },
  { id: 'P7', load: async () => (await import('./cases/otlp.js')).run },
  { id: 'P8', load: async () => (await import('./cases/pipeline.js')).run },
  { id: 'P10', load: async () => (await import('./cases/design-targets.js')).run },
];

function argValue(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'boolean') return value ? 'yes' : 'NO';
  return String(value);
}

function table(rows: readonly CaseResult[]): string {
  const header = ['id', 'what', 'ours', 'reference', 'unit', 'ratio', 'goal', 'pass'];
  const lines = rows.map((r) =>
    [r.id, r.what, r.ours, r.reference, r.unit, r.ratio, r.goal, r.pass].map(cell),
  );
  const out = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const line of lines) out.push(`| ${line.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
  return out.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = argValue(args, '--only')?.split(',');
  const profile = argValue(args, '--profile');
  if (profile !== undefined) {
    const { profileCase } = await import('./profile.js');
    await profileCase(profile, Number(argValue(args, '--n') ?? 1000), quick);
    return;
  }
  const out = argValue(args, '--out') ?? join(REPO_ROOT, 'bench', 'results', 'latest.json');
  const started = Date.now();
  const cases: CaseResult[] = [];
  for (const group of GROUPS) {
    if (only !== undefined && !only.includes(group.id)) continue;
    fullGc();
    const t = Date.now();
    const rows = await (await group.load())({ quick });
    progress(`${group.id} done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    cases.push(...rows);
  }
  const result = {
    node: process.version,
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? 'unknown',
      platform: process.platform,
    },
    durationSeconds: Math.round((Date.now() - started) / 1000),
    cases,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `node ${result.node}, ${result.machine.cpus} CPUs, ${result.mode} run, ${result.durationSeconds} s\n\n`,
  );
  process.stdout.write(`${table(cases)}\n`);
  const failed = cases.filter((c) => c.pass === false).map((c) => c.id);
  process.stdout.write(
    `\n${cases.filter((c) => c.pass === true).length} goals met, ${failed.length} missed${failed.length > 0 ? `: ${failed.join(', ')}` : ''}\n`,
  );
}

await main();
// Servers and child processes are closed by their cases; nothing else may keep the process up.
process.exit(0);
