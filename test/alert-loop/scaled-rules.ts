/**
 * The committed rule files with time compressed 60×, a documented test-only override: every
 * `for:` and every PromQL range `[…]` shrinks by the same factor (5m → 5s, 1h → 1m, 6h → 6m), so
 * a 5-minute condition holds for 5 s and a test sees each alert fire and resolve within minutes.
 * Thresholds, expressions and labels are the committed ones; the files are written to a temporary
 * folder, never over the originals.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/backends.js';

export const RULES_DIR = join(REPO_ROOT, 'collector-config', 'prometheus', 'rules');
export const ALERT_RULES_FILE = join(RULES_DIR, 'publishing-alerts.yml');

const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** A Prometheus duration divided by 60, in whole seconds (at least 1 s). */
export function compressDuration(duration: string): string {
  const match = /^(\d+)([smhd])$/.exec(duration);
  if (!match) throw new Error(`unsupported duration ${duration}`);
  const seconds = (Number(match[1]) * (SECONDS[match[2] as string] as number)) / 60;
  return `${Math.max(1, Math.round(seconds))}s`;
}

export function compressRules(text: string): string {
  return text
    .replace(
      /^(\s*for:\s*)(\d+[smhd])\s*$/gm,
      (_, head: string, d: string) => head + compressDuration(d),
    )
    .replace(/\[(\d+[smhd])\]/g, (_, d: string) => `[${compressDuration(d)}]`);
}

/** Writes the compressed copies of every rule file; returns their paths. */
export function writeCompressedRules(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'alert-loop-rules-'));
  return readdirSync(RULES_DIR)
    .filter((file) => file.endsWith('.yml'))
    .map((file) => {
      const path = join(dir, file);
      writeFileSync(path, compressRules(readFileSync(join(RULES_DIR, file), 'utf8')));
      return path;
    });
}

/** The alert names of the committed alert rules file. */
export function alertRuleNames(): string[] {
  return [...readFileSync(ALERT_RULES_FILE, 'utf8').matchAll(/^\s*- alert:\s*(\S+)\s*$/gm)].map(
    (m) => m[1] as string,
  );
}
