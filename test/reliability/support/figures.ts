/**
 * The reliability suite publishes its figures: each test file writes its section to
 * `test-output/reliability/<section>.json` and the merged `test-output/reliability.json`, from
 * which `scripts/reliability-report.ts` renders the table in docs/reliability.md.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/backends.js';

export const OUTPUT_DIR = join(REPO_ROOT, 'test-output');
export const SECTIONS_DIR = join(OUTPUT_DIR, 'reliability');
export const MERGED_FILE = join(OUTPUT_DIR, 'reliability.json');

export type Figure = string | number | boolean | null | Figure[] | { [key: string]: Figure };

export interface Section {
  section: string;
  recordedAt: string;
  node: string;
  cpus: number;
  long: boolean;
  figures: Record<string, Figure>;
}

/** True when the longer variants run (`RELIABILITY_LONG=1`). */
export const LONG = process.env['RELIABILITY_LONG'] === '1';

function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/** Every section written so far, by name. */
export function readSections(): Record<string, Section> {
  const out: Record<string, Section> = {};
  let files: string[] = [];
  try {
    files = readdirSync(SECTIONS_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    return out;
  }
  for (const file of files.sort()) {
    const section = JSON.parse(readFileSync(join(SECTIONS_DIR, file), 'utf8')) as Section;
    out[section.section] = section;
  }
  return out;
}

/**
 * Writes one section and re-merges the whole file. Test files run in parallel workers; each
 * merges after writing its own section, so the last merge sees every section.
 */
export function writeFigures(section: string, figures: Record<string, Figure>): void {
  mkdirSync(SECTIONS_DIR, { recursive: true });
  const entry: Section = {
    section,
    recordedAt: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    long: LONG,
    figures,
  };
  writeAtomically(join(SECTIONS_DIR, `${section}.json`), `${JSON.stringify(entry, null, 2)}\n`);
  writeAtomically(MERGED_FILE, `${JSON.stringify(readSections(), null, 2)}\n`);
}

/** Milliseconds rounded to 0.01. */
export const ms = (value: number): number => Math.round(value * 100) / 100;
/** Bytes as MiB rounded to 0.01. */
export const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 100) / 100;
