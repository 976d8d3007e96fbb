/**
 * writeChunkedBody: pieces produced as the socket takes them, the event loop running between
 * slices (one budget per turn shared by every response), and a client that stops reading or goes
 * away holding nothing up.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { writeChunkedBody, type ChunkedBodyOutcome } from '../../src/export/chunked-body.js';
import { Pacer } from '../../src/export/pacer.js';

interface Producer {
  pieces: Generator<string>;
  pulled: () => number;
  finished: () => boolean;
}

/** `count` pieces of `size` characters (`piece <i>` then dots), each costing `busyMs` of CPU. */
function producer(count: number, size: number, busyMs = 0, throwAt = -1): Producer {
  let pulled = 0;
  let finished = false;
  function* pieces(): Generator<string> {
    try {
      for (let i = 0; i < count; i++) {
        pulled++;
        if (i === throwAt) throw new Error('serializer broke');
        const until = performance.now() + busyMs;
        while (performance.now() < until);
        const head = `piece ${i}\n`;
        yield head + '.'.repeat(size - head.length - 1) + '\n';
      }
    } finally {
      finished = true;
    }
  }
  return { pieces: pieces(), pulled: () => pulled, finished: () => finished };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A server answering every request with `make()`'s pieces; the outcomes are collected. */
async function serve(make: () => Producer, sliceMs = 4) {
  const pacer = new Pacer(sliceMs);
  const outcomes: Array<Promise<ChunkedBodyOutcome>> = [];
  const responses: ServerResponse[] = [];
  const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    responses.push(res);
    res.writeHead(200, { 'content-type': 'text/plain' });
    outcomes.push(writeChunkedBody(res, make().pieces, pacer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, outcomes, responses };
}

function get(url: string): Promise<{ body: string; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ body, complete: res.complete }));
      res.on('error', () => resolve({ body, complete: false }));
      res.on('aborted', () => resolve({ body, complete: false }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('writeChunkedBody', () => {
  it('writes every piece in order and lets the event loop run between slices', async () => {
    const p = producer(60, 32 * 1024, 1);
    const { url, outcomes } = await serve(() => p, 4);
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    const reply = await get(url);
    clearInterval(timer);
    expect(reply.complete).toBe(true);
    const heads = reply.body.split('\n').filter((l) => l.startsWith('piece '));
    expect(heads).toEqual(Array.from({ length: 60 }, (_, i) => `piece ${i}`));
    expect(await outcomes[0]).toEqual({ outcome: 'ended' });
    // 60 ms of work in slices of 4 ms: timers ran in between, not only after the body.
    expect(turns).toBeGreaterThan(5);
  });

  it('responses written at once share one budget per turn of the event loop', async () => {
    // 8 responses of 20 pieces, 3 ms of work each: 480 ms in all. With a budget per response
    // they would block the loop 8 slices at a time (8 × 6 ms); shared, about one slice per turn.
    const { url, outcomes } = await serve(() => producer(20, 16 * 1024, 3), 4);
    const gaps: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 1);
    const replies = await Promise.all(Array.from({ length: 8 }, () => get(url)));
    clearInterval(timer);
    for (const reply of replies) expect(reply.complete).toBe(true);
    expect(await Promise.all(outcomes)).toEqual(Array(8).fill({ outcome: 'ended' }));
    // The 90th percentile of how long the loop went without running the timer: about a slice
    // and a piece (~7 ms) shared, 8 of them per response — measured on a loaded 2-core machine
    // 17–23 ms shared, 77–100 ms per response. The worst gap is left to the machine's scheduling.
    gaps.sort((a, b) => a - b);
    const p90 = gaps[Math.floor(gaps.length * 0.9)]!;
    expect(p90).toBeLessThan(40);
  });

  it('produces no further than the client reads (backpressure)', async () => {
    const p = producer(2000, 64 * 1024);
    const { url, outcomes, responses } = await serve(() => p);
    const req = request(url, (res) => res.pause());
    req.on('error', () => {});
    req.end();
    await new Promise((r) => setTimeout(r, 300));
    // 131 MB would be produced without backpressure; a paused client holds it to the buffers.
    expect(p.pulled()).toBeGreaterThan(0);
    expect(p.pulled()).toBeLessThan(500);
    expect(responses[0]!.listenerCount('drain')).toBe(1);
    req.destroy();
    expect(await outcomes[0]).toEqual({ outcome: 'aborted' });
    expect(p.finished()).toBe(true);
    expect(p.pulled()).toBeLessThan(2000);
    expect(responses[0]!.listenerCount('drain')).toBe(0);
  });

  it('stops producing when the client goes away', async () => {
    const p = producer(2000, 64 * 1024, 0.2);
    const { url, outcomes } = await serve(() => p);
    await new Promise<void>((resolve) => {
      const req = request(url, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      req.end();
    });
    expect(await outcomes[0]).toEqual({ outcome: 'aborted' });
    expect(p.finished()).toBe(true);
    expect(p.pulled()).toBeLessThan(2000);
  });

  it('destroys the response when a piece cannot be produced', async () => {
    const p = producer(50, 64 * 1024, 0, 20);
    const { url, outcomes } = await serve(() => p);
    const reply = await get(url);
    expect(reply.complete).toBe(false);
    const outcome = await outcomes[0]!;
    expect(outcome.outcome).toBe('failed');
    expect(String((outcome as { error: unknown }).error)).toMatch(/serializer broke/);
  });
});
