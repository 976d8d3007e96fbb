import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, sendRaw, startFixture, type Fixture } from './fixture.js';

const BASE = '/api/v2/publishing';

describe('no input reaches a 500', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f.close());

  it('malformed percent-encoding in a path or query is 400', async () => {
    for (const path of [
      `${BASE}/stats/%E0%A4%A`,
      `${BASE}/stats/%zz`,
      `${BASE}/stats/%`,
      `${BASE}/stats/%C0%80`,
      `${BASE}/stats?type=%ff`,
      `${BASE}/stats?%zz=1`,
    ]) {
      const r = await send(f.server.url, path);
      expect(r.status, path).toBe(400);
      expect(r.json, path).toEqual({
        error: {
          code: 'bad_request',
          message: expect.stringMatching(/malformed percent-encoding/),
        },
      });
    }
  });

  it('an oversized URL is 414, and one beyond the header limit is 431, both JSON', async () => {
    const long = await send(f.server.url, `${BASE}/stats/${'a'.repeat(5000)}`);
    expect(long.status).toBe(414);
    expect(long.json.error.code).toBe('uri_too_long');
    const huge = await sendRaw(
      f.server.url,
      `GET ${BASE}/stats/${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(huge.status).toBe(431);
    expect(huge.json.error.code).toBe('request_too_large');
  });

  it('wrong methods are 405 with Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      for (const path of [
        `${BASE}/stats`,
        `${BASE}/stats/slack-ops`,
        '/metrics',
        `${BASE}/health`,
      ]) {
        const r = await send(f.server.url, path, { method });
        expect(r.status, `${method} ${path}`).toBe(405);
        expect(r.headers['allow']).toBe('GET, HEAD');
        expect(r.json.error.code).toBe('method_not_allowed');
      }
    }
  });

  it('unknown paths are 404 JSON', async () => {
    for (const path of [
      '/',
      '/other',
      `${BASE}/nope`,
      `${BASE}/stats/`,
      `${BASE}/statsx`,
      `${BASE}//stats`,
      '/api/v2/publishingstats',
    ]) {
      const r = await send(f.server.url, path);
      expect(r.status, path).toBe(404);
      expect(r.json.error.code, path).toMatch(/^(not_found|target_not_found)$/);
    }
  });

  it('the base path itself is the HTML status page', async () => {
    for (const path of [`${BASE}`, `${BASE}/`]) {
      const res = await fetch(`${f.server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(await res.text(), path).toContain('<title>Alert publishing status</title>');
    }
  });

  it('parameters on endpoints that take none are 400', async () => {
    for (const path of [
      `${BASE}/health?verbose=1`,
      `${BASE}/snapshot?x`,
      `${BASE}/stats/slack-ops?limit=1`,
      `${BASE}/trends?a=b`,
    ]) {
      const r = await send(f.server.url, path);
      expect(r.status, path).toBe(400);
      expect(r.json.error.code).toBe('unknown_parameter');
    }
  });

  it('odd but valid requests get ordinary answers', async () => {
    const absolute = await send(f.server.url, `http://example.test${BASE}/stats/slack-ops`);
    expect(absolute.status).toBe(200);
    expect(absolute.json.target.name).toBe('slack-ops');
    const dotdot = await send(f.server.url, `${BASE}/stats/../health`);
    expect(dotdot.status).toBe(404);
    const nul = await send(f.server.url, `${BASE}/stats/%00`);
    expect(nul.status).toBe(404);
    const quotes = await send(f.server.url, `${BASE}/stats/${encodeURIComponent('"}<script>')}`);
    expect(quotes.status).toBe(404);
    expect(quotes.json.error.message).toBe("unknown target '\"}<script>'");
    const emptyQuery = await send(f.server.url, `${BASE}/stats?&&`);
    expect(emptyQuery.status).toBe(200);
  });

  it('malformed HTTP is 400 JSON and the server keeps serving', async () => {
    const garbage = await sendRaw(f.server.url, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage.status).toBe(400);
    expect(garbage.json.error.code).toBe('bad_request');
    const badHeader = await sendRaw(
      f.server.url,
      `GET ${BASE}/stats HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n`,
    );
    expect(badHeader.status).toBe(400);
    expect((await send(f.server.url, `${BASE}/health`)).status).toBe(200);
  });

  it('a generated mix of hostile paths never produces a 5xx or a stack trace', async () => {
    const pieces = [
      '%',
      '%2',
      '%2F',
      '%ZZ',
      '..',
      '.',
      '/',
      '//',
      '?',
      '&',
      '=',
      '#',
      '%00',
      '\u00e9',
      '~',
      ';',
      ',',
      'stats',
      'health',
      'limit=',
      'sort=-',
      'a'.repeat(300),
    ];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 200; i++) {
      let tail = '';
      const n = 1 + Math.floor(next() * 6);
      for (let j = 0; j < n; j++) tail += pieces[Math.floor(next() * pieces.length)];
      const path = `${BASE}/${encodeURI(tail).replace(/%25/g, '%')}`;
      const r = await send(f.server.url, path);
      expect(r.status, path).toBeGreaterThanOrEqual(200);
      expect(r.status, path).toBeLessThan(500);
      expect(r.text, path).not.toMatch(/at .*\.(ts|js):\d+/);
      if (r.status >= 400) expect(r.json?.error?.code, path).toEqual(expect.any(String));
    }
  });

  it('a failing collection is 503 JSON without detail', async () => {
    const g = await startFixture({
      source: {
        collectAll: () => Promise.reject(new Error('secret internal detail at file.ts:12')),
      },
    });
    try {
      const r = await send(g.server.url, `${BASE}/stats`);
      expect(r.status).toBe(503);
      expect(r.json).toEqual({
        error: { code: 'unavailable', message: 'metrics collection failed; try again' },
      });
    } finally {
      await g.close();
    }
  });
});
