/**
 * The Prometheus endpoint over HTTP: a small body in one piece with a Content-Length, a large
 * one streamed (chunked) and equal to the exporter package's serialization, HEAD, 405, 503, a
 * client that goes away in the middle of a large body, concurrent and pipelined scrapes sharing
 * one collection, the cap on scrapes in progress, and the bearer token.
 */
import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPrometheusEndpoint,
  type PrometheusEndpoint,
  type PrometheusEndpointOptions,
} from '../../src/export/prometheus.js';
import { PROMETHEUS_CONTENT_TYPE, type MetricsHandler } from '../../src/export/prometheus-types.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(url: string, method = 'GET', headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          body: Buffer.concat(parts).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface Served {
  url: string;
  server: Server;
  close(): Promise<void>;
}

async function serve(handler: MetricsHandler): Promise<Served> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

interface Setup {
  endpoint: PrometheusEndpoint;
  served: Served;
  provider: MeterProvider;
}

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

/** An endpoint over `series` counter series and `series / 10` histogram series. */
async function setup(
  series: number,
  withoutTargetInfo = false,
  extra: Partial<PrometheusEndpointOptions> = {},
): Promise<Setup> {
  const endpoint = await createPrometheusEndpoint({
    withoutScopeInfo: true,
    withoutTargetInfo,
    ...extra,
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'endpoint-test' }),
    readers: [endpoint.reader as MetricReader],
    views: [{ instrumentName: '*', aggregationCardinalityLimit: series + 10 }],
  });
  const meter = provider.getMeter('endpoint-test');
  const counter = meter.createCounter('deliveries', { description: 'deliveries "made"' });
  const histogram = meter.createHistogram('latency', { unit: 's' });
  for (let i = 0; i < series; i++) {
    counter.add(i + 0.5, {
      target: `target-${i}`,
      note: i % 7 === 0 ? 'quote " and \\ and\nnl' : 'ok',
    });
    if (i % 10 === 0) histogram.record((i % 13) * 0.7, { target: `target-${i}` });
  }
  const served = await serve(endpoint.handler);
  open.push(async () => {
    await served.close();
    await provider.shutdown();
  });
  return { endpoint, served, provider };
}

/** What the exporter package's serializer makes of a collection now. */
async function exporterText(endpoint: PrometheusEndpoint, withoutTargetInfo = false) {
  const { resourceMetrics } = await endpoint.reader.collect();
  return new PrometheusSerializer(undefined, false, undefined, withoutTargetInfo, true).serialize(
    resourceMetrics,
  );
}

/**
 * Writes `count` GET requests on one connection in one write (pipelined) and resolves with the
 * raw bytes once `count` status lines have arrived and the last response is complete.
 */
function pipelined(url: string, count: number, path = '/metrics'): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`pipelined: ${text.split('HTTP/1.1 ').length - 1} of ${count} answers`));
    }, 10_000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const answers = text.split('HTTP/1.1 ').length - 1;
      const last = text.lastIndexOf('HTTP/1.1 ');
      const length = /content-length: (\d+)/i.exec(text.slice(last))?.[1];
      const bodyAt = text.indexOf('\r\n\r\n', last) + 4;
      if (answers === count && length !== undefined && text.length - bodyAt >= Number(length)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`.repeat(count));
  });
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/;

describe('the Prometheus endpoint', () => {
  it('answers a small body in one piece with its length', async () => {
    const { served, endpoint } = await setup(5);
    const reply = await send(served.url);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(reply.headers['content-length']).toBe(String(Buffer.byteLength(reply.body)));
    expect(reply.headers['transfer-encoding']).toBeUndefined();
    expect(reply.body).toBe(await exporterText(endpoint));
  });

  it('streams a large body that parses back line by line', async () => {
    const series = 20_000;
    const { served, endpoint } = await setup(series);
    const reply = await send(served.url);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(reply.headers['transfer-encoding']).toBe('chunked');
    expect(reply.headers['content-length']).toBeUndefined();
    expect(reply.body.length).toBeGreaterThan(1_000_000);
    expect(reply.body).toBe(await exporterText(endpoint));

    const lines = reply.body.split('\n');
    expect(lines.pop()).toBe('');
    const samples = new Map<string, number>();
    for (const line of lines) {
      if (line.startsWith('# ')) {
        expect(line).toMatch(/^# (HELP|TYPE|UNIT) [a-zA-Z_:][a-zA-Z0-9_:]* /);
        continue;
      }
      const m = SAMPLE.exec(line);
      expect(m, line).not.toBeNull();
      samples.set(m![1]!, (samples.get(m![1]!) ?? 0) + 1);
      expect(Number.isNaN(Number(m![3]))).toBe(false);
    }
    expect(samples.get('deliveries_total')).toBe(series);
    expect(samples.get('latency_count')).toBe(series / 10);
    expect(samples.get('latency_sum')).toBe(series / 10);
    expect(samples.get('target_info')).toBe(1);
    expect(reply.body).toContain(
      'deliveries_total{target="target-7",note="quote \\" and \\\\ and\\nnl"} 7.5\n',
    );
  });

  it('answers HEAD with the headers only', async () => {
    const small = await setup(5);
    const get = await send(small.served.url);
    const head = await send(small.served.url, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.body)));

    const large = await setup(20_000);
    const bigHead = await send(large.served.url, 'HEAD');
    expect(bigHead.status).toBe(200);
    expect(bigHead.body).toBe('');
    // The connection is still usable: the HEAD answer had no body to frame.
    expect((await send(large.served.url)).status).toBe(200);
  });

  it('answers 405 with Allow to other methods', async () => {
    const { served } = await setup(1);
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const reply = await send(served.url, method);
      expect(reply.status, method).toBe(405);
      expect(reply.headers['allow']).toBe('GET, HEAD');
    }
  });

  it('answers 503 with a text message when the collection fails', async () => {
    // A reader registered with no MeterProvider cannot collect.
    const endpoint = await createPrometheusEndpoint({
      withoutScopeInfo: true,
      withoutTargetInfo: true,
    });
    const served = await serve(endpoint.handler);
    open.push(() => served.close());
    const reply = await send(served.url);
    expect(reply.status).toBe(503);
    expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(reply.body).toMatch(/^metrics collection failed: .+\n$/);
  });

  it('stops writing, without an error, when the client goes away mid-body', async () => {
    const { served } = await setup(40_000);
    const responses: ServerResponse[] = [];
    served.server.prependListener('request', (_req, res) => responses.push(res));

    const received = await new Promise<number>((resolve, reject) => {
      const req = request(served.url, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          // Gone after the first piece.
          if (bytes > 0) req.destroy();
        });
        res.on('close', () => resolve(bytes));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ECONNRESET') reject(err);
      });
      req.end();
    });
    expect(received).toBeGreaterThan(0);
    const res = responses[0]!;
    await new Promise<void>((r) => (res.destroyed ? r() : res.once('close', () => r())));
    expect(res.writableEnded).toBe(false);
    // Nothing left waiting on the response: no drain or close listener of ours.
    await new Promise((r) => setTimeout(r, 20));
    expect(res.listenerCount('drain')).toBe(0);
    expect(res.listenerCount('close')).toBeLessThanOrEqual(1);
    // And the endpoint keeps serving.
    const next = await send(served.url);
    expect(next.status).toBe(200);
    expect(next.body.endsWith('\n')).toBe(true);
  });

  it('concurrent scrapes share one collection and get the same bytes', async () => {
    const { served, endpoint, provider } = await setup(20_000);
    // The collection waits on this gate until every request has reached the server.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    provider
      .getMeter('endpoint-test')
      .createObservableGauge('gate')
      .addCallback(async (result) => {
        await gate;
        result.observe(1);
      });
    let arrived = 0;
    served.server.prependListener('request', () => {
      if (++arrived === 20) open();
    });
    const before = endpoint.scrapes.collections;
    const replies = await Promise.all(Array.from({ length: 20 }, () => send(served.url)));
    expect(endpoint.scrapes.collections - before).toBe(1);
    expect(new Set(replies.map((r) => r.body)).size).toBe(1);
    expect(replies[0]!.status).toBe(200);
    expect(replies[0]!.body.length).toBeGreaterThan(1_000_000);
    expect(replies[0]!.body).toContain('\ngate 1\n');
    expect(endpoint.scrapes.inProgress).toBe(0);
  });

  it('requests pipelined on one connection are answered in order from one collection', async () => {
    const { served, endpoint } = await setup(5);
    const before = endpoint.scrapes.collections;
    const raw = await pipelined(served.url, 200);
    const statuses = [...raw.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    expect(statuses).toEqual(Array(200).fill('200'));
    // Node parses every request of the write before the collection can finish: all share it.
    expect(endpoint.scrapes.collections - before).toBe(1);
    expect(raw.split('deliveries_total{target="target-4"').length - 1).toBe(200);
  });

  it('a client that pipelines 100 scrapes and goes away after the first piece leaves nothing held', async () => {
    const { served, endpoint } = await setup(20_000);
    const { port } = new URL(served.url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('data', () => socket.destroy());
      socket.on('close', () => resolve());
      socket.on('error', () => undefined);
      socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(100));
    });
    // Node never emits 'close' on the 99 queued responses: the connection's close releases them.
    await until(() => endpoint.scrapes.inProgress === 0 && endpoint.scrapes.liveBodies === 0);
    expect(endpoint.scrapes).toMatchObject({ inProgress: 0, liveBodies: 0, collections: 1 });
    expect((await send(served.url)).status).toBe(200);
  });

  it('answers 503 with Retry-After beyond the cap on scrapes in progress, and serves again after', async () => {
    const { served, endpoint } = await setup(5, false, { maxScrapesInProgress: 3 });
    const raw = await pipelined(served.url, 8);
    const statuses = [...raw.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    expect(statuses).toEqual(['200', '200', '200', '503', '503', '503', '503', '503']);
    expect(raw).toMatch(/HTTP\/1\.1 503 Service Unavailable\r\n[^]*?retry-after: 1\r\n/i);
    expect(endpoint.scrapes.inProgress).toBe(0);
    expect((await send(served.url)).status).toBe(200);
  });

  it('with a token: 401 without it or with a wrong one, 200 with it, HEAD included', async () => {
    const token = 'scrape-7f3a.Zq_9~';
    const { served } = await setup(5, false, { token });
    const none = await send(served.url);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="publishing-metrics"');
    expect(none.body).not.toContain('deliveries');
    const wrong = await send(served.url, 'GET', { authorization: 'Bearer scrape-7f3a.Zq_8~' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toContain('error="invalid_token"');
    expect((await send(served.url, 'HEAD')).status).toBe(401);
    const right = await send(served.url, 'GET', { authorization: `Bearer ${token}` });
    expect(right.status).toBe(200);
    expect(right.body).toContain('deliveries_total{target="target-4"');
  });

  it('refuses at creation a token that can never match', async () => {
    await expect(
      createPrometheusEndpoint({ withoutScopeInfo: true, withoutTargetInfo: true, token: 'a b' }),
    ).rejects.toThrow(/prometheus\.token can never match/);
  });
});
