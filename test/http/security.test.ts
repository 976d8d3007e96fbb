/**
 * What the stats API does against a browser on the same host and against its own
 * misconfiguration: security headers on every answer, the Host check against DNS rebinding, the
 * status page without the token while its data needs it, tokens and bind hosts that could never
 * work rejected at startup, and bounds on what clients hold (connections, stalled answers).
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStatsHandler, startStatsServer, type StatsServer } from '../../src/index.js';
import { bearerVerifier } from '../../src/http/auth.js';
import { send, sendRaw, startFixture, type Fixture } from './fixture.js';

const BASE = '/api/v2/publishing';
const TOKEN = 'k3y-Of.the~stats+server/64=';

const API_CSP = "default-src 'none'; frame-ancestors 'none'";

function expectSecurityHeaders(headers: Record<string, unknown>, where: string, csp = API_CSP) {
  expect(headers['x-content-type-options'], where).toBe('nosniff');
  expect(headers['x-frame-options'], where).toBe('DENY');
  expect(headers['content-security-policy'], where).toBe(csp);
  expect(headers['referrer-policy'], where).toBe('no-referrer');
}

describe('security headers', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ token: TOKEN });
  });
  afterAll(() => f.close());
  const auth = { Authorization: `Bearer ${TOKEN}` };

  it('are on every answer: JSON, 304, errors, /metrics, parser errors', async () => {
    const answers = {
      stats: await send(f.server.url, `${BASE}/stats`, { headers: auth }),
      health: await send(f.server.url, `${BASE}/health`, { headers: auth }),
      metrics: await send(f.server.url, '/metrics', { headers: auth }),
      unauthorized: await send(f.server.url, `${BASE}/stats`),
      notFound: await send(f.server.url, `${BASE}/nope`, { headers: auth }),
      method: await send(f.server.url, `${BASE}/stats`, { method: 'POST', headers: auth }),
    };
    expect(answers.stats.status).toBe(200);
    expect(answers.metrics.status).toBe(200);
    expect(answers.unauthorized.status).toBe(401);
    expect(answers.notFound.status).toBe(404);
    expect(answers.method.status).toBe(405);
    for (const [name, reply] of Object.entries(answers)) expectSecurityHeaders(reply.headers, name);
    const etag = String(answers.stats.headers['etag']);
    const notModified = await send(f.server.url, `${BASE}/stats`, {
      headers: { ...auth, 'If-None-Match': etag },
    });
    expect(notModified.status).toBe(304);
    expectSecurityHeaders(notModified.headers, '304');
    // Rejected by node's parser before any handler: written to the socket by the server.
    const raw = await sendRaw(f.server.url, 'GET / HTTP/1.1\r\nBad Header: x\r\n\r\n');
    expect(raw.status).toBe(400);
  });

  it("the status page's policy allows exactly its own inline script and style, nothing external", async () => {
    const page = await send(f.server.url, `${BASE}/`);
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self'");
    const hash = (text: string) =>
      `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
    const script = /<script>([\s\S]*)<\/script>/.exec(page.text)?.[1] ?? '';
    const style = /<style>([\s\S]*)<\/style>/.exec(page.text)?.[1] ?? '';
    expect(script.length).toBeGreaterThan(1000);
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(style)}`);
    // The SVG namespace is a name, not a load.
    const loads = page.text.replaceAll("'http://www.w3.org/2000/svg'", '');
    expect(loads).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|https?:\/\//);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('bearer token and the status page', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ token: TOKEN });
  });
  afterAll(() => f.close());

  it('serves the page HTML without the token, and nothing with data', async () => {
    for (const path of [BASE, `${BASE}/`]) {
      const page = await send(f.server.url, path);
      expect(page.status, path).toBe(200);
      expect(page.text, path).toContain('<title>Alert publishing status</title>');
      // The page holds no figure of the pipeline: no target name appears in it.
      expect(page.text, path).not.toContain('slack-ops');
    }
    for (const path of [
      `${BASE}/stats`,
      `${BASE}/snapshot`,
      `${BASE}/health`,
      `${BASE}/trends`,
      `${BASE}/stats/slack-ops`,
      '/metrics',
      `${BASE}/nope`,
      `${BASE}//`,
    ]) {
      expect((await send(f.server.url, path)).status, path).toBe(401);
    }
  });

  it('the reusable check accepts only the token, in any case of the scheme', () => {
    const verify = bearerVerifier(TOKEN, { option: 'prometheus.token' });
    expect(verify(`Bearer ${TOKEN}`)).toBeUndefined();
    expect(verify(`bearer  ${TOKEN} `)).toBeUndefined();
    expect(verify(undefined)?.message).toBe('a bearer token is required');
    expect(verify(`Basic ${TOKEN}`)?.message).toBe('a bearer token is required');
    expect(verify([`Bearer ${TOKEN}`])?.status).toBe(401);
    const wrong = verify(`Bearer ${TOKEN}x`);
    expect(wrong?.status).toBe(401);
    expect(wrong?.headers['WWW-Authenticate']).toBe(
      'Bearer realm="publishing-stats", error="invalid_token"',
    );
  });

  it('rejects at startup a token that could never match, naming the option', async () => {
    const source = { collectAll: () => Promise.reject(new Error('unused')) };
    for (const [token, why] of [
      ['has space', "' '"],
      ['Bearer\u00a0x', 'U+00A0'],
      ['naïve', 'U+00EF'],
      ['tab\there', 'U+0009'],
      ['new\nline', 'U+000A'],
      ['a=b', "'='"],
      ['"quoted"', `'"'`],
    ] as const) {
      expect(() => createStatsHandler({ source, token }), token).toThrow(
        new RegExp(`^token can never match: .* but it contains ${why.replace(/[+]/g, '\\+')}$`),
      );
      await expect(startStatsServer({ source, port: 0, token }), token).rejects.toThrow(/^token /);
    }
    expect(() => createStatsHandler({ source, token: '' })).toThrow(
      'token must be a non-empty string',
    );
    expect(() => bearerVerifier('bad token', { option: 'prometheus.token' })).toThrow(
      /^prometheus\.token can never match/,
    );
  });
});

describe('bind host', () => {
  it("rejects host: '' (every interface) with a message naming the option", async () => {
    const source = { collectAll: () => Promise.reject(new Error('unused')) };
    for (const host of ['', '  ']) {
      await expect(startStatsServer({ source, host, port: 0 })).rejects.toThrow(
        /^host is empty, which would listen on every interface: .*'0\.0\.0\.0' or '::'/,
      );
    }
  });
});

describe('Host header check (DNS rebinding)', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ statusPage: true });
  });
  afterAll(() => f.close());

  it('the stats server answers its bound address and loopback names, 421 JSON for others', async () => {
    const port = f.server.port;
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `LOCALHOST:${port}`,
      // A proxy on the same host may forward its own port: names are checked, not ports.
      'localhost',
      `127.0.0.1:${port + 1}`,
    ]) {
      const r = await send(f.server.url, `${BASE}/health`, { headers: { Host: host } });
      expect(r.status, host).toBe(200);
    }
    for (const host of [
      `evil.example:${port}`,
      `127.0.0.1.evil.example:${port}`,
      `[::1]:${port}x`,
      '10.0.0.1',
      'http://localhost/',
    ]) {
      for (const path of [`${BASE}/health`, `${BASE}/`, '/metrics']) {
        const r = await send(f.server.url, path, { headers: { Host: host } });
        expect(r.status, `${host} ${path}`).toBe(421);
        expect(r.json.error.code).toBe('host_not_allowed');
        expect(r.json.error.message).toContain('allowedHosts');
        expect(r.headers['x-content-type-options']).toBe('nosniff');
      }
    }
  });

  it("allowedHosts widens the list, and '*' turns the check off", async () => {
    const source = { collectAll: () => f.collector.collectAll() };
    const listed = await startStatsServer({
      source,
      port: 0,
      trends: false,
      allowedHosts: ['stats.example', 'proxy.example:8443'],
    });
    const any = await startStatsServer({ source, port: 0, trends: false, allowedHosts: '*' });
    try {
      const status = async (url: string, host: string) =>
        (await send(url, `${BASE}/health`, { headers: { Host: host } })).status;
      expect(await status(listed.url, 'stats.example')).toBe(200);
      expect(await status(listed.url, 'Stats.Example:9999')).toBe(200);
      expect(await status(listed.url, 'proxy.example:8443')).toBe(200);
      expect(await status(listed.url, 'proxy.example')).toBe(421);
      expect(await status(listed.url, `localhost:${listed.port}`)).toBe(200);
      expect(await status(listed.url, 'evil.example')).toBe(421);
      expect(await status(any.url, 'evil.example')).toBe(200);
    } finally {
      await listed.close();
      await any.close();
    }
    expect(() => createStatsHandler({ source, allowedHosts: ['http://stats.example/'] })).toThrow(
      /^allowedHosts entry "http:\/\/stats.example\/" is not a host name/,
    );
  });

  it("a mounted handler checks only when allowedHosts is given (the host's server decides)", async () => {
    const source = { collectAll: () => f.collector.collectAll() };
    const serve = async (handler: ReturnType<typeof createStatsHandler>) => {
      const server: Server = createServer(handler);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    };
    const open = await serve(createStatsHandler({ source }));
    const checked = await serve(createStatsHandler({ source, allowedHosts: [] }));
    try {
      const evil = { headers: { Host: 'evil.example' } };
      expect((await send(open.url, `${BASE}/health`, evil)).status).toBe(200);
      expect((await send(checked.url, `${BASE}/health`, evil)).status).toBe(421);
      expect((await send(checked.url, `${BASE}/health`)).status).toBe(200);
    } finally {
      open.server.close();
      checked.server.close();
    }
  });
});

/**
 * A socket that sends one request and then reads nothing. `closed` resolves with the ms after
 * which the server closed its end (measured on the server: a client that does not read would
 * not see the close behind the unread body).
 */
function stalledReader(
  server: StatsServer,
  path: string,
): { socket: Socket; closed: Promise<number> } {
  const opened = performance.now();
  const closed = new Promise<number>((resolve) =>
    server.server.once('connection', (own: Socket) =>
      own.once('close', () => resolve(performance.now() - opened)),
    ),
  );
  const socket = connect(server.port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
  socket.pause();
  return { socket, closed };
}

describe('bounds on what clients hold of the stats server', () => {
  // 32 MB: more than loopback socket buffers take, so the rest waits in the server's memory.
  const BIG = `# big body\n${'x'.repeat(32 * 1024 * 1024)}\n`;
  const source = { collectAll: () => Promise.reject(new Error('unused')) };

  async function serverSockets(server: Server): Promise<number> {
    return new Promise((r) => server.getConnections((_e, n) => r(n)));
  }

  it('a client that stops reading a large /metrics body is cut off after idleTimeoutMs', async () => {
    const s = await startStatsServer({
      source,
      port: 0,
      trends: false,
      metricsText: () => BIG,
      idleTimeoutMs: 500,
      responseTimeoutMs: 60_000,
    });
    try {
      const closedAfter: number[] = [];
      const clients: Socket[] = [];
      for (let i = 0; i < 3; i++) {
        const c = stalledReader(s, '/metrics');
        clients.push(c.socket);
        closedAfter.push(await c.closed);
      }
      for (const c of clients) c.destroy();
      for (const ms of closedAfter) {
        expect(ms).toBeGreaterThanOrEqual(400);
        expect(ms).toBeLessThan(5_000);
      }
      expect(await serverSockets(s.server)).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('an answer not delivered within responseTimeoutMs is abandoned, even to a client that trickles', async () => {
    const s = await startStatsServer({
      source,
      port: 0,
      trends: false,
      metricsText: () => BIG,
      idleTimeoutMs: 60_000,
      responseTimeoutMs: 800,
    });
    try {
      const c = stalledReader(s, '/metrics');
      // Reads 16 KiB every 100 ms: never idle, far too slow for 32 MB.
      const trickle = setInterval(() => c.socket.read(16 * 1024), 100);
      c.socket.on('readable', () => undefined);
      const ms = await c.closed;
      clearInterval(trickle);
      c.socket.destroy();
      expect(ms).toBeGreaterThanOrEqual(700);
      expect(ms).toBeLessThan(5_000);
    } finally {
      await s.close();
    }
  });

  it('connections beyond maxConnections are closed at once; the server keeps serving', async () => {
    const s = await startStatsServer({
      source,
      port: 0,
      trends: false,
      metricsText: () => 'up 1\n',
      maxConnections: 3,
    });
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const socket = connect(s.port, '127.0.0.1');
        socket.on('error', () => undefined);
        await new Promise((r) => socket.once('connect', r));
        held.push(socket);
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(await serverSockets(s.server)).toBe(3);
      const refused = await sendRaw(s.url, `GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(refused.status).toBe(0);
      for (const socket of held) socket.destroy();
      await new Promise((r) => setTimeout(r, 50));
      expect((await send(s.url, '/metrics')).text).toBe('up 1\n');
      await expect(
        startStatsServer({ source, port: 0, trends: false, maxConnections: 0 }),
      ).rejects.toThrow('maxConnections must be a positive integer, got 0');
    } finally {
      for (const socket of held) socket.destroy();
      await s.close();
    }
  });
});
