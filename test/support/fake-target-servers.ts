/**
 * The demo's fake target servers in tests: started on loopback and stopped after each test, and
 * JSON requests to them over real HTTP.
 */
import { afterEach } from 'vitest';
import type { FakeTargetServer } from '../../examples/alert-publisher/targets/fake-target-server.js';

/** Returns `started(server)`: starts a server that is stopped after each test of the file. */
export function fakeServers(): <T extends FakeTargetServer>(server: T) => Promise<T> {
  const servers: FakeTargetServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });
  return (server) => {
    servers.push(server);
    return server.start();
  };
}

/** Response JSON as the assertions read it: nested fields of four different APIs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface JsonAnswer {
  readonly status: number;
  readonly body: Json;
  readonly headers: Headers;
}

/** Sends `body` as JSON (POST unless `init.method` says otherwise) and parses the answer. */
export async function sendJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  init: RequestInit = {},
): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : undefined,
    headers: response.headers,
  };
}
