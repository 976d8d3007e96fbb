/**
 * Writes a body produced piece by piece to an HTTP response without blocking the event loop for
 * the whole of it: the pieces are produced as the socket takes them (waiting for 'drain' when
 * the response's buffer is full), and when the pacer's budget for this turn of the event loop is
 * spent (shared with every other response and serialization using it) the loop runs before the
 * next piece, so other requests and timers are served while large bodies go out. Pieces may be
 * shared buffers: a response holds a reference to each piece it writes, never a copy, and at most
 * about one piece more than its socket's buffer while it waits for 'drain'.
 */
import type { ServerResponse } from 'node:http';
import type { Pacer } from './pacer.js';

export type ChunkedBodyOutcome =
  | { readonly outcome: 'ended' }
  /** The client went away (or the response was destroyed) before the body was complete. */
  | { readonly outcome: 'aborted' }
  /** Producing a piece threw: the response was destroyed, so the client sees no complete body. */
  | { readonly outcome: 'failed'; readonly error: unknown };

/**
 * Writes every piece of `chunks` to `res` (whose head may already be written), then ends it,
 * letting the event loop run whenever `pacer` says this turn's budget is spent. Never throws;
 * stops producing when the client goes away, and calls `chunks.return()` when it stops early.
 */
export function writeChunkedBody(
  res: ServerResponse,
  chunks: Iterator<string | Uint8Array>,
  pacer: Pacer,
): Promise<ChunkedBodyOutcome> {
  return new Promise((resolve) => {
    let closed = false;
    let finished = false;
    let waitingForDrain = false;

    const finish = (result: ChunkedBodyOutcome): void => {
      if (finished) return;
      finished = true;
      res.off('close', onClose);
      res.off('drain', onDrain);
      if (result.outcome !== 'ended') {
        try {
          chunks.return?.();
        } catch {
          // the producer's clean-up failing changes nothing here
        }
      }
      resolve(result);
    };
    function onClose(): void {
      closed = true;
      // Waiting for a drain that will not come: stop now. Otherwise the next pump() stops.
      if (waitingForDrain) finish({ outcome: 'aborted' });
    }
    function onDrain(): void {
      waitingForDrain = false;
      pump();
    }

    function pump(): void {
      for (;;) {
        if (closed || res.destroyed) {
          finish({ outcome: 'aborted' });
          return;
        }
        // A socket that takes every piece at once drains within the tick: the budget still counts.
        if (!pacer.hasBudget()) {
          void pacer.nextTurn().then(pump);
          return;
        }
        let next: IteratorResult<string | Uint8Array>;
        try {
          next = chunks.next();
        } catch (error) {
          res.destroy();
          finish({ outcome: 'failed', error });
          return;
        }
        if (next.done === true) {
          res.end();
          finish({ outcome: 'ended' });
          return;
        }
        if (!res.write(next.value)) {
          // 'drain' may come within this tick (the socket took it all) or after the client read.
          waitingForDrain = true;
          res.once('drain', onDrain);
          return;
        }
      }
    }

    res.on('close', onClose);
    pump();
  });
}
