/**
 * Discovers publishing targets from a targets file (plus generated extras for scale runs):
 * validates each entry, resolves secrets and `builtin:` references, and keeps the last good result.
 * A file that cannot be read or parsed fails the discovery and leaves the previous targets in place,
 * so a half-saved edit never empties the pipeline. Implements the library's TargetDiscoveryManager.
 */
import { readFile } from 'node:fs/promises';
import type { DiscoveryStats, PublishingTarget, TargetDiscoveryManager } from '../ports.js';
import { isRecord } from '../json.js';
import type { Recorders } from '../recorders.js';
import {
  parseBuiltinReference,
  parseTargetSpec,
  type BuiltinReference,
  type TargetConfig,
  type TargetSpec,
} from './target-config.js';

export type BuiltinResolver = (ref: BuiltinReference, spec: TargetSpec) => Promise<string>;

export interface DiscoveryOptions {
  file: string;
  /** Raw entries appended to the file's (the generated targets of `--targets N`). */
  extraTargets?: readonly unknown[];
  env?: NodeJS.ProcessEnv;
  /** Turns a builtin reference into a URL; without it builtin references are invalid. */
  resolveBuiltin?: BuiltinResolver;
  recorders: Recorders;
}

export interface DiscoveryResult {
  targets: readonly TargetConfig[];
  /** One reason per rejected entry. */
  invalid: readonly string[];
}

export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
  constructor(
    readonly errorType: 'read' | 'parse' | 'schema',
    message: string,
  ) {
    super(message);
  }
}

export class TargetDiscovery implements TargetDiscoveryManager {
  private current: DiscoveryResult = { targets: [], invalid: [] };
  private lastDiscovery: Date | undefined;
  /** Discoveries that failed outright (file unreadable or malformed); invalid entries count in invalidTargets. */
  private errors = 0;
  private sourceFault: string | undefined;

  constructor(private readonly options: DiscoveryOptions) {}

  get targets(): readonly TargetConfig[] {
    return this.current.targets;
  }

  listTargets(): PublishingTarget[] {
    return this.current.targets.map(({ name, type, url, enabled }) => ({
      name,
      type,
      url,
      enabled,
    }));
  }

  getStats(): DiscoveryStats {
    const { targets, invalid } = this.current;
    return {
      totalTargets: targets.length + invalid.length,
      validTargets: targets.length,
      invalidTargets: invalid.length,
      ...(this.lastDiscovery ? { lastDiscovery: this.lastDiscovery } : {}),
      discoveryErrors: this.errors,
    };
  }

  /** Reads and validates the targets; throws DiscoveryError when the file is unusable. */
  async discover(): Promise<DiscoveryResult> {
    const recorder = this.options.recorders.discovery;
    let entries: unknown[];
    const loadStarted = performance.now();
    try {
      entries = [...(await this.load()), ...(this.options.extraTargets ?? [])];
    } catch (error) {
      this.errors++;
      recorder.recordError(error instanceof DiscoveryError ? error.errorType : 'read');
      throw error;
    } finally {
      recorder.recordDiscovery('load', (performance.now() - loadStarted) / 1000);
    }

    const resolveStarted = performance.now();
    const env = this.options.env ?? process.env;
    const targets: TargetConfig[] = [];
    const invalid: string[] = [];
    const seen = new Set<string>();
    const reject = (reason: string, errorType: string): void => {
      invalid.push(reason);
      recorder.recordError(errorType);
    };
    for (const entry of entries) {
      const parsed = parseTargetSpec(entry, env, (status) => recorder.recordSecret(status));
      if (!parsed.ok) {
        reject(parsed.reason, 'validation');
        continue;
      }
      const { spec } = parsed;
      if (seen.has(spec.name)) {
        reject(`${spec.name}: duplicate name`, 'validation');
        continue;
      }
      seen.add(spec.name);
      const url = await this.resolveUrl(spec);
      if (url === undefined) reject(`${spec.name}: cannot resolve ${spec.ref}`, 'resolve');
      else targets.push({ ...spec, url });
    }
    recorder.recordDiscovery('resolve', (performance.now() - resolveStarted) / 1000);
    this.current = { targets, invalid };
    this.lastDiscovery = new Date();
    return this.current;
  }

  /**
   * Makes every discovery fail as if the targets source were unreachable (the chaos scenario's
   * "refresh failing"); undefined restores it. The live targets stay as last discovered.
   */
  failSource(reason: string | undefined): void {
    this.sourceFault = reason;
  }

  private async load(): Promise<unknown[]> {
    if (this.sourceFault !== undefined) throw new DiscoveryError('read', this.sourceFault);
    let text: string;
    try {
      text = await readFile(this.options.file, 'utf8');
    } catch (error) {
      throw new DiscoveryError(
        'read',
        `cannot read ${this.options.file}: ${(error as Error).message}`,
      );
    }
    let document: unknown;
    try {
      document = JSON.parse(text) as unknown;
    } catch (error) {
      throw new DiscoveryError(
        'parse',
        `${this.options.file} is not JSON: ${(error as Error).message}`,
      );
    }
    const entries = isRecord(document) ? document.targets : document;
    if (!Array.isArray(entries))
      throw new DiscoveryError('schema', `${this.options.file} must hold {"targets": [...]}`);
    return entries;
  }

  private async resolveUrl(spec: TargetSpec): Promise<string | undefined> {
    const builtin = parseBuiltinReference(spec.ref);
    if (builtin === undefined) return spec.ref;
    if (builtin === 'invalid' || !this.options.resolveBuiltin) return undefined;
    try {
      return await this.options.resolveBuiltin(builtin, spec);
    } catch {
      return undefined;
    }
  }
}
