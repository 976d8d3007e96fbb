/**
 * Encoded answers (body bytes + ETag) are kept per snapshot and query. These tests guard against
 * the ways such a cache goes wrong: serving one query's bytes for another, serving a snapshot's
 * bytes after the TTL replaced it, or letting the kept count grow with the query strings sent.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StatsAggregator, type MetricsSnapshot } from '../../src/index.js';
import { encodeJson } from '../../src/http/respond.js';
import { CachedStats } from '../../src/http/stats-cache.js';
import { health, send, startFixture, type Reply } from './fixture.js';

const BASE = '/api/v2/publishing';

/** The ETag a body must carry: SHA-1 of exactly the bytes sent. */
function etagOfText(text: string): string {
  return `"${createHash('sha1').update(text, 'utf8').digest('base64url')}"`;
}

function expectConsistent(reply: Reply, what: string): void {
  expect(reply.status, what).toBe(200);
  expect(reply.headers['etag'], what).toBe(etagOfText(reply.text));
  expect(reply.headers['content-length'], what).toBe(String(Buffer.byteLength(reply.text)));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('encoded answers', () => {
  it('carry the bytes, length and ETag of the JSON they encode', () => {
    const json = JSON.stringify({ name: 'team/alerts channel ✓ €' });
    const answer = encodeJson(200, json);
    expect(answer.body.toString('utf8')).toBe(json);
    expect(answer.headers['Content-Length']).toBe(String(Buffer.byteLength(json)));
    expect(answer.etag).toBe(etagOfText(json));
    expect(answer.headers['ETag']).toBe(answer.etag);
    expect(answer.notModified).toEqual({ ETag: answer.etag, 'Cache-Control': 'no-cache' });
  });

  it('are kept per key and at most 64 per snapshot', () => {
    const entry = new CachedStats({} as MetricsSnapshot, new StatsAggregator(), 0);
    let renders = 0;
    const make = (json: string) => () => {
      renders++;
      return encodeJson(200, json);
    };
    const a = entry.memo('a', make('"a"'));
    expect(entry.memo('a', make('"other"'))).toBe(a);
    expect(entry.memo('b', make('"b"')).body.toString()).toBe('"b"');
    expect(renders).toBe(2);
    for (let i = 0; i < 62; i++) entry.memo(`k${i}`, make(`${i}`));
    expect(renders).toBe(64);
    // Past the bound an answer is rendered for every request instead of being kept.
    expect(entry.memo('late', make('"late"')).body.toString()).toBe('"late"');
    expect(entry.memo('late', make('"late"')).body.toString()).toBe('"late"');
    expect(renders).toBe(66);
    expect(entry.memo('a', make('"other"'))).toBe(a);
  });
});

describe('stats answers over HTTP', () => {
  it('differ per query and are never served for another query', async () => {
    const f = await startFixture({ cacheTtlMs: 60_000 });
    try {
      const one = await send(f.server.url, `${BASE}/stats?limit=1`);
      const two = await send(f.server.url, `${BASE}/stats?limit=2`);
      expectConsistent(one, 'limit=1');
      expectConsistent(two, 'limit=2');
      expect(one.json.targets).toHaveLength(1);
      expect(two.json.targets).toHaveLength(2);
      expect(two.headers['etag']).not.toBe(one.headers['etag']);
      // The ETag of one query does not turn another query into a 304.
      const crossed = await send(f.server.url, `${BASE}/stats?limit=2`, {
        headers: { 'If-None-Match': one.headers['etag'] as string },
      });
      expect(crossed.status).toBe(200);
      expect(crossed.text).toBe(two.text);
      const oneAgain = await send(f.server.url, `${BASE}/stats?limit=1`);
      expect(oneAgain.text).toBe(one.text);
      expect(oneAgain.headers['etag']).toBe(one.headers['etag']);
      const head = await send(f.server.url, `${BASE}/stats?limit=2`, { method: 'HEAD' });
      expect(head.text).toBe('');
      expect(head.headers['etag']).toBe(two.headers['etag']);
      expect(head.headers['content-length']).toBe(two.headers['content-length']);
      // More distinct queries than answers kept per snapshot: each still gets its own answer.
      for (let limit = 1; limit <= 70; limit++) {
        const r = await send(f.server.url, `${BASE}/stats?limit=${limit}&sort=-name`);
        expectConsistent(r, `limit=${limit}`);
        expect(r.json.limit, `limit=${limit}`).toBe(limit);
        expect(r.json.targets, `limit=${limit}`).toHaveLength(Math.min(limit, 4));
      }
      expect(f.collections()).toBe(1);
    } finally {
      await f.close();
    }
  });

  it('are replaced with the snapshot once the TTL has passed', async () => {
    // The cache reads performance.now(); moving it forward expires the snapshot without waiting.
    const realNow = performance.now.bind(performance);
    let skew = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => realNow() + skew);
    const f = await startFixture({ cacheTtlMs: 60_000 });
    try {
      const path = `${BASE}/stats?limit=2`; // pagerduty-oncall, slack-ops
      const before = await send(f.server.url, path);
      expectConsistent(before, 'first snapshot');
      expect(before.json.targets[1].name).toBe('slack-ops');
      expect(before.json.targets[1].health.status).toBe('healthy');
      f.ports.targets[0] = health('slack-ops', 'slack', 'unhealthy');
      // Within the TTL the kept answer is the snapshot's answer, change or not.
      const within = await send(f.server.url, path, {
        headers: { 'If-None-Match': before.headers['etag'] as string },
      });
      expect(within.status).toBe(304);
      expect(f.collections()).toBe(1);
      skew += 60_001;
      const after = await send(f.server.url, path, {
        headers: { 'If-None-Match': before.headers['etag'] as string },
      });
      expect(f.collections()).toBe(2);
      expectConsistent(after, 'new snapshot');
      expect(after.headers['etag']).not.toBe(before.headers['etag']);
      expect(after.json.targets[1].health.status).toBe('unhealthy');
      const revalidated = await send(f.server.url, path, {
        headers: { 'If-None-Match': after.headers['etag'] as string },
      });
      expect(revalidated.status).toBe(304);
      expect(revalidated.headers['etag']).toBe(after.headers['etag']);
    } finally {
      await f.close();
    }
  });
});
