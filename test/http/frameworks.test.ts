import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStatsHandler,
  HealthCollector,
  PublishingMetricsCollector,
  QueueCollector,
  type StatsRequestHandler,
} from '../../src/index.js';
import { FakePorts, ODD_TARGET, recordTraffic, send } from './fixture.js';

const BASE = '/api/v2/publishing';

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

let collector: PublishingMetricsCollector;
let handler: StatsRequestHandler;
beforeAll(() => {
  const ports = new FakePorts();
  collector = new PublishingMetricsCollector();
  collector.registerCollector(new HealthCollector(ports));
  collector.registerCollector(new QueueCollector(ports));
  recordTraffic(collector);
  handler = createStatsHandler({ source: collector, token: 'tok', metricsText: () => 'up 1\n' });
});
afterAll(() => collector.shutdown());

const auth = { headers: { Authorization: 'Bearer tok' } };

/** The same expectations for every framework. */
async function exercise(url: string): Promise<void> {
  const stats = await send(url, `${BASE}/stats?sort=-name&limit=2`, auth);
  expect(stats.status).toBe(200);
  expect(stats.json.total).toBe(4);
  expect(stats.json.targets.map((t: { name: string }) => t.name)).toEqual([
    'webhook-audit',
    ODD_TARGET,
  ]);
  const odd = await send(url, `${BASE}/stats/${encodeURIComponent(ODD_TARGET)}`, auth);
  expect(odd.status).toBe(200);
  expect(odd.json.target.name).toBe(ODD_TARGET);
  expect(odd.json.target.jobs.succeeded).toBe(1);
  const unknown = await send(url, `${BASE}/stats/nobody`, auth);
  expect(unknown.status).toBe(404);
  expect(unknown.json.error.code).toBe('target_not_found');
  const denied = await send(url, `${BASE}/health`);
  expect(denied.status).toBe(401);
  const post = await send(url, `${BASE}/stats`, { ...auth, method: 'POST' });
  expect(post.status).toBe(405);
  expect(post.headers['allow']).toBe('GET, HEAD');
  const head = await send(url, `${BASE}/health`, { ...auth, method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(head.text).toBe('');
  const etag = (await send(url, `${BASE}/health`, auth)).headers['etag'] as string;
  const cached = await send(url, `${BASE}/health`, {
    headers: { ...auth.headers, 'If-None-Match': etag },
  });
  expect(cached.status).toBe(304);
  const metrics = await send(url, '/metrics', auth);
  expect(metrics.text).toBe('up 1\n');
  const bad = await send(url, `${BASE}/stats?limit=5000`, auth);
  expect(bad.status).toBe(400);
  expect(bad.json.error.code).toBe('invalid_parameter');
}

describe('the stats handler', () => {
  it('serves node:http directly', async () => {
    const server = createServer(handler);
    try {
      const url = await listen(server);
      await exercise(url);
      const other = await send(url, '/other');
      expect(other.status).toBe(404);
      expect(other.json.error.code).toBe('not_found');
    } finally {
      await close(server);
    }
  });

  it('works as Express middleware and passes other paths on with next()', async () => {
    const app = express();
    app.use(handler);
    app.get('/other', (_req, res) => {
      res.json({ from: 'express' });
    });
    const server = createServer(app);
    try {
      const url = await listen(server);
      await exercise(url);
      const other = await send(url, '/other');
      expect(other.status).toBe(200);
      expect(other.json).toEqual({ from: 'express' });
    } finally {
      await close(server);
    }
  });

  it('works in Fastify through a hijacked reply', async () => {
    const app = Fastify();
    app.all('/*', (request, reply) => {
      reply.hijack();
      handler(request.raw, reply.raw);
    });
    app.get('/other', async () => ({ from: 'fastify' }));
    try {
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      await exercise(url);
      const other = await send(url, '/other');
      expect(other.json).toEqual({ from: 'fastify' });
    } finally {
      await app.close();
    }
  });
});
