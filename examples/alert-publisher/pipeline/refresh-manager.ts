/**
 * Re-runs target discovery on an interval and whenever the targets file changes, so adding or
 * removing a target takes effect while the service runs. Change detection uses fs.watch on the
 * file's directory and falls back to stat polling where fs.watch is unavailable (some network and
 * container filesystems). Implements the library's RefreshManager port.
 */
import { watch, watchFile, unwatchFile, type FSWatcher, type Stats } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { RefreshManager, RefreshState, RefreshStatus } from '../ports.js';
import type { RefreshRecorder } from '../recorders.js';

export interface RefreshOptions {
  file: string;
  intervalMs: number;
  /** Editors write a file in several steps; wait for the burst of events to settle. */
  debounceMs?: number;
  pollIntervalMs?: number;
  /** Skip fs.watch (tests of the fallback, filesystems known not to deliver events). */
  forcePolling?: boolean;
}

export interface RefreshOutcome {
  discovered: number;
  valid: number;
  invalid: number;
}

export type ChangeDetection = 'off' | 'watch' | 'poll';

export class TargetRefreshManager implements RefreshManager {
  private state: RefreshState = 'idle';
  private lastRefresh: Date | undefined;
  private nextRefresh: Date | undefined;
  private durationMs: number | undefined;
  private outcome: RefreshOutcome = { discovered: 0, valid: 0, invalid: 0 };
  private error: string | undefined;
  private consecutiveFailures = 0;

  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private detection: ChangeDetection = 'off';
  private running = false;

  constructor(
    private readonly options: RefreshOptions,
    private readonly refresh: () => Promise<RefreshOutcome>,
    /** Told of every finished refresh (the port only shows the latest). */
    private readonly recorders?: { refresh: RefreshRecorder },
  ) {}

  get changeDetection(): ChangeDetection {
    return this.detection;
  }

  getStatus(): RefreshStatus {
    return {
      state: this.state,
      ...(this.lastRefresh ? { lastRefresh: this.lastRefresh } : {}),
      ...(this.nextRefresh ? { nextRefresh: this.nextRefresh } : {}),
      ...(this.durationMs === undefined ? {} : { refreshDurationMs: this.durationMs }),
      intervalMs: this.options.intervalMs,
      targetsDiscovered: this.outcome.discovered,
      targetsValid: this.outcome.valid,
      targetsInvalid: this.outcome.invalid,
      ...(this.error === undefined ? {} : { error: this.error }),
      consecutiveFailures: this.consecutiveFailures,
    };
  }

  /** Starts the interval and change detection (the caller runs the first refresh). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm();
    this.watchFile();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    clearTimeout(this.debounce);
    this.watcher?.close();
    this.watcher = undefined;
    if (this.detection === 'poll') unwatchFile(this.options.file);
    this.detection = 'off';
    await this.queued;
    await this.inFlight;
  }

  /**
   * Refreshes now. A request during a refresh queues exactly one more run, since the file may have
   * changed after the running one read it; further requests join that queued run.
   */
  refreshNow(): Promise<void> {
    if (this.queued) return this.queued;
    if (this.inFlight) {
      this.queued = this.inFlight.then(() => {
        this.queued = undefined;
        return this.run();
      });
      return this.queued;
    }
    return this.run();
  }

  private run(): Promise<void> {
    this.inFlight = this.runOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async runOnce(): Promise<void> {
    this.state = 'in_progress';
    const started = performance.now();
    try {
      this.outcome = await this.refresh();
      this.state = 'success';
      this.lastRefresh = new Date();
      this.consecutiveFailures = 0;
      this.error = undefined;
    } catch (error) {
      this.state = 'failed';
      this.consecutiveFailures++;
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.durationMs = performance.now() - started;
      this.recorders?.refresh.recordRefresh(
        this.state === 'success' ? 'success' : 'failed',
        this.durationMs / 1000,
      );
      this.arm();
    }
  }

  /** (Re)schedules the periodic refresh a full interval after the latest one. */
  private arm(): void {
    clearTimeout(this.timer);
    if (!this.running) {
      this.nextRefresh = undefined;
      return;
    }
    this.nextRefresh = new Date(Date.now() + this.options.intervalMs);
    this.timer = setTimeout(() => void this.refreshNow(), this.options.intervalMs);
  }

  private watchFile(): void {
    const { file } = this.options;
    if (!this.options.forcePolling) {
      try {
        // The directory, not the file: editors save by renaming a temp file over the original,
        // which replaces the inode a file watch is attached to and silences it.
        const name = basename(file);
        this.watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
          if (changed === null || changed === name) this.onFileChanged();
        });
        this.watcher.on('error', () => {
          this.watcher?.close();
          this.watcher = undefined;
          this.poll();
        });
        this.detection = 'watch';
        return;
      } catch {
        // fs.watch unsupported here: fall through to polling.
      }
    }
    this.poll();
  }

  private poll(): void {
    if (!this.running) return;
    watchFile(
      this.options.file,
      { persistent: false, interval: this.options.pollIntervalMs ?? 1_000 },
      (current: Stats, previous: Stats) => {
        if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size)
          this.onFileChanged();
      },
    );
    this.detection = 'poll';
  }

  private onFileChanged(): void {
    if (!this.running) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.refreshNow(), this.options.debounceMs ?? 150);
  }
}
