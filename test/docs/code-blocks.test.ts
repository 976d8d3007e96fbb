/**
 * Every TypeScript block of README.md and docs/setup.md type-checks against the built package,
 * as a user's file would: its own module, strict, `module`/`moduleResolution: node16`, importing
 * `otel-publishing-metrics` through the package's `exports`. A block that redeclares a name,
 * uses an option that does not exist or a method the library lost fails here.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/backends.js';

const DOCS = ['README.md', 'docs/setup.md'];
/** The `exports` of the published package.json (checked against it below where it is there). */
const PACKAGE_EXPORTS = {
  '.': {
    import: { types: './dist/index.d.ts', default: './dist/index.js' },
    require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
  },
};
const WORK = join(REPO_ROOT, 'node_modules', '.cache', 'otel-publishing-metrics-code-blocks');

interface Block {
  readonly doc: string;
  /** 1-based line of the block's first code line in the document. */
  readonly line: number;
  readonly code: string;
}

function blocks(doc: string): Block[] {
  const lines = readFileSync(join(REPO_ROOT, doc), 'utf8').split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith('```')) end++;
    out.push({ doc, line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return out;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The built package, rebuilt when `src/` is newer than it (CI builds before testing). */
function ensureBuilt(): void {
  const types = join(REPO_ROOT, 'dist', 'index.d.ts');
  if (existsSync(types) && statSync(types).mtimeMs >= newestMtime(join(REPO_ROOT, 'src'))) return;
  execFileSync('npx', ['tsup'], { cwd: REPO_ROOT, stdio: 'ignore', timeout: 120_000 });
}

describe('documentation code blocks', () => {
  it('every TypeScript block of README.md and docs/setup.md compiles against the built package', async () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      exports?: unknown;
    };
    // The compatibility run derives its own package.json, without `exports`.
    if (manifest.exports !== undefined) {
      expect((manifest.exports as Record<string, unknown>)['.']).toEqual(PACKAGE_EXPORTS['.']);
    }
    const all = DOCS.flatMap(blocks);
    expect(all.length).toBeGreaterThanOrEqual(6);
    ensureBuilt();
    rmSync(WORK, { recursive: true, force: true });
    // The package as installed: the repository's `exports` over the built `dist/` (written here
    // so the compatibility run, whose package.json is derived, resolves it the same way).
    const installed = join(WORK, 'node_modules', 'otel-publishing-metrics');
    mkdirSync(installed, { recursive: true });
    symlinkSync(join(REPO_ROOT, 'dist'), join(installed, 'dist'), 'dir');
    writeFileSync(
      join(installed, 'package.json'),
      JSON.stringify({ name: 'otel-publishing-metrics', type: 'module', exports: PACKAGE_EXPORTS }),
    );
    writeFileSync(join(WORK, 'package.json'), JSON.stringify({ type: 'module' }));
    const files = all.map((b, i) => {
      const file = `block-${i}.ts`;
      writeFileSync(join(WORK, file), `${b.code}\nexport {};\n`);
      return file;
    });
    writeFileSync(
      join(WORK, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'node16',
          moduleResolution: 'node16',
          target: 'es2022',
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
        },
        files,
      }),
    );
    let output = '';
    try {
      await promisify(execFile)(
        process.execPath,
        [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', WORK],
        { cwd: WORK, timeout: 120_000 },
      );
    } catch (err) {
      output = String((err as { stdout?: string }).stdout ?? err);
    }
    // Errors point at the document and line a reader would fix.
    const located = output.replace(
      /block-(\d+)\.ts\((\d+),(\d+)\)/g,
      (_, i: string, l: string, c: string) => {
        const b = all[Number(i)]!;
        return `${b.doc}:${b.line + Number(l) - 1}:${c}`;
      },
    );
    expect(located.trim(), `blocks in ${relative(REPO_ROOT, WORK)}`).toBe('');
  }, 180_000);
});
