/**
 * A load generator for /metrics, run in a child process so that the server's event loop and heap
 * measure the server alone: `concurrent` connections send one GET each and read the answer in
 * full, and one connection pipelines `pipelined` GETs in a single write and reads the first
 * `pipelinedRead` answers before closing. Bodies are counted, not kept or parsed (raw sockets):
 * the client costs the server nothing but the bytes.
 *
 *   node --import tsx test/reliability/support/scrape-flood.ts <json options>
 *
 * Prints `first-byte` when the first answer starts arriving, then one JSON line (`FloodResult`)
 * when every connection is done.
 */
import { connect } from 'node:net';

export interface FloodOptions {
  url: string;
  concurrent: number;
  pipelined: number;
  pipelinedRead: number;
  timeoutMs: number;
}

export interface FloodResult {
  /** Status of each concurrent scrape (0: closed before an answer, -1: timed out). */
  concurrentStatuses: Record<string, number>;
  /** Body bytes (with chunk framing) of each complete concurrent answer: min and max. */
  concurrentBytes: { min: number; max: number };
  /** Complete answers read on the pipelining connection, and their statuses. */
  pipelinedAnswers: number;
  pipelinedStatuses: Record<string, number>;
  ms: number;
}

/** The end of a chunked body; Prometheus text has no CR, so it cannot occur inside one. */
const CHUNKED_END = Buffer.from('\r\n0\r\n\r\n', 'latin1');
const STATUS_LINE = Buffer.from('HTTP/1.1 ', 'latin1');
/** Longer than either marker plus a status code: a marker split across chunks is still found. */
const TAIL_BYTES = 16;

/**
 * Counts complete answers in a stream of chunked answers, searching the bytes as they arrive
 * (no text conversion: the client must keep up with hundreds of MB/s).
 */
class AnswerCounter {
  answers = 0;
  bytes = 0;
  readonly statuses: Record<string, number> = {};
  private tail = Buffer.alloc(0);

  feed(chunk: Buffer): void {
    this.bytes += chunk.length;
    const data = Buffer.concat([this.tail, chunk]);
    const fresh = this.tail.length;
    for (let at = data.indexOf(STATUS_LINE); at >= 0; at = data.indexOf(STATUS_LINE, at + 1)) {
      const codeEnd = at + STATUS_LINE.length + 3;
      // Counted where it ends: a line split across chunks is counted once, when complete.
      if (codeEnd > data.length || codeEnd <= fresh) continue;
      const status = data.toString('latin1', codeEnd - 3, codeEnd);
      this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    }
    for (let at = data.indexOf(CHUNKED_END); at >= 0; at = data.indexOf(CHUNKED_END, at + 1)) {
      if (at + CHUNKED_END.length > fresh) this.answers++;
    }
    this.tail = data.subarray(Math.max(0, data.length - TAIL_BYTES));
  }
}

let firstByteSeen = false;
/** Tells the parent (one `first-byte` line) when answers start: the shared body is made. */
function firstByte(): void {
  if (firstByteSeen) return;
  firstByteSeen = true;
  process.stdout.write('first-byte\n');
}

function scrapeOnce(
  url: URL,
  timeoutMs: number,
): Promise<{ status: number; bytes: number; complete: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const counter = new AnswerCounter();
    const done = (status: number) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, bytes: counter.bytes, complete: counter.answers === 1 });
    };
    const timer = setTimeout(() => done(-1), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      firstByte();
      counter.feed(chunk);
      const status = Number(Object.keys(counter.statuses)[0] ?? 0);
      if (counter.answers === 1) done(status);
      // A short answer (503) has a length, not chunks: it is complete once it arrived.
      else if (status !== 0 && status !== 200) done(status);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => done(Number(Object.keys(counter.statuses)[0] ?? 0)));
    socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
  });
}

function pipeline(
  url: URL,
  count: number,
  read: number,
  timeoutMs: number,
): Promise<AnswerCounter> {
  return new Promise((resolve) => {
    const counter = new AnswerCounter();
    if (count === 0) {
      resolve(counter);
      return;
    }
    const socket = connect(Number(url.port), url.hostname);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(counter);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      counter.feed(chunk);
      if (counter.answers >= read) done();
    });
    socket.on('error', () => undefined);
    socket.on('close', done);
    socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`.repeat(count));
  });
}

export async function flood(options: FloodOptions): Promise<FloodResult> {
  const url = new URL(options.url);
  const started = performance.now();
  const [scrapes, piped] = await Promise.all([
    Promise.all(
      Array.from({ length: options.concurrent }, () => scrapeOnce(url, options.timeoutMs)),
    ),
    pipeline(url, options.pipelined, options.pipelinedRead, options.timeoutMs),
  ]);
  const concurrentStatuses: Record<string, number> = {};
  for (const s of scrapes) concurrentStatuses[s.status] = (concurrentStatuses[s.status] ?? 0) + 1;
  const complete = scrapes.filter((s) => s.complete).map((s) => s.bytes);
  return {
    concurrentStatuses,
    concurrentBytes: {
      min: complete.length > 0 ? Math.min(...complete) : 0,
      max: complete.length > 0 ? Math.max(...complete) : 0,
    },
    pipelinedAnswers: piped.answers,
    pipelinedStatuses: piped.statuses,
    ms: Math.round(performance.now() - started),
  };
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const options = JSON.parse(process.argv[2] ?? '{}') as FloodOptions;
  process.stdout.write(`${JSON.stringify(await flood(options))}\n`);
}
