/**
 * A budget of event-loop time shared by every piece of work that uses the same pacer: serializing
 * a scrape and writing its body to any number of responses. Each worker asks `hasBudget()` before
 * each piece and, when it is spent, waits for `nextTurn()`; so however many responses are being
 * written at once, their work together takes about `sliceMs` per turn of the event loop and timers,
 * other requests and the host's own I/O run in between. A budget per worker instead would let
 * 200 responses that start together block the loop for 200 slices (measured: 0.8 s at 4 ms).
 */
export class Pacer {
  private turnStarted = 0;
  private turnOpen = false;

  constructor(readonly sliceMs: number) {}

  /** True while this turn of the event loop has budget left (the first call opens the turn). */
  hasBudget(): boolean {
    const now = performance.now();
    if (!this.turnOpen) {
      this.turnOpen = true;
      this.turnStarted = now;
      // Queued before the workers that yield in this turn: the next turn starts afresh.
      setImmediate(this.closeTurn);
    }
    return now - this.turnStarted < this.sliceMs;
  }

  /** Resolves on a later turn of the event loop, after pending I/O and timers. */
  nextTurn(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  private readonly closeTurn = (): void => {
    this.turnOpen = false;
  };
}

/** The process's one event loop: every Prometheus endpoint shares this budget. */
export const SCRAPE_PACER = new Pacer(4);
