/**
 * Fixed pool of workers pulling from the priority queue. Stopping is two-phase: drain (wait until
 * the queue is empty and nobody is busy, bounded) and then abort whatever is still in flight.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BoundedPriorityQueue, Queued } from './priority-queue.js';

export type JobHandler<T> = (job: T, signal: AbortSignal) => Promise<void>;

export class WorkerPool<T extends Queued> {
  private running = false;
  private busy = 0;
  private loops: Promise<void>[] = [];
  private readonly abort = new AbortController();

  constructor(
    private readonly queue: BoundedPriorityQueue<T>,
    readonly size: number,
    private readonly handle: JobHandler<T>,
  ) {
    // Every request and backoff in flight listens on the pool's signal (a worker's, and each
    // target's DLQ replay): well over Node's default of 10 at once, each removed when it ends, so
    // the "possible EventTarget memory leak" warning would be a false alarm.
    setMaxListeners(0, this.abort.signal);
  }

  get active(): number {
    return this.busy;
  }

  get idle(): number {
    return this.running ? this.size - this.busy : 0;
  }

  /** Aborted when the pool is stopped: in-flight requests and backoff sleeps end early. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.size }, () => this.loop());
  }

  /** Waits until the queue is empty and no job runs, or `timeoutMs` passes; true when drained. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.queue.size > 0 || this.busy > 0) {
      if (performance.now() >= deadline) return false;
      await sleep(20);
    }
    return true;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort(new Error('worker pool stopped'));
    this.queue.wakeAll();
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const job = this.queue.poll();
      if (job === undefined) {
        await this.queue.waitForItem();
        continue;
      }
      this.busy++;
      try {
        await this.handle(job, this.abort.signal);
      } catch {
        // The handler settles its own outcome (DLQ, metrics); an escape here must not kill the worker.
      } finally {
        this.busy--;
      }
    }
  }
}
