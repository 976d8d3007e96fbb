/**
 * Fake generic webhook receiver: accepts JSON POSTs on any path, optionally behind bearer or basic
 * auth configured per path (several webhook targets can share one server). HEAD/GET answer 200 so
 * health checks can reach it with the same credentials.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  FakeTargetServer,
  INVALID_JSON,
  pushRecent,
  type FakeRequest,
  type FakeResponse,
} from './fake-target-server.js';

export type WebhookAuth =
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string };

export class FakeWebhookServer extends FakeTargetServer {
  readonly kind = 'webhook';
  /** Deliveries accepted, per path. */
  readonly received = new Map<string, number>();
  /** Sizes of the most recent payloads accepted, oldest first (at most `keepRecent`). */
  readonly payloadBytes: number[] = [];
  /** Bytes of every payload accepted, lifetime. */
  payloadBytesTotal = 0;
  private readonly authByPath = new Map<string, WebhookAuth | undefined>();
  private defaultAuth: WebhookAuth | undefined;

  constructor(
    options: ConstructorParameters<typeof FakeTargetServer>[0] & { auth?: WebhookAuth } = {},
  ) {
    super(options);
    this.defaultAuth = options.auth;
  }

  /** Require these credentials on `path` (undefined: none). */
  expectAuth(path: string, auth: WebhookAuth | undefined): void {
    this.authByPath.set(path, auth);
  }

  knowsPath(path: string): boolean {
    return this.authByPath.has(path);
  }

  get totalReceived(): number {
    let total = 0;
    for (const count of this.received.values()) total += count;
    return total;
  }

  protected handle(request: FakeRequest): FakeResponse {
    const auth = this.authByPath.has(request.path)
      ? this.authByPath.get(request.path)
      : this.defaultAuth;
    if (auth && !authorized(request.headers.authorization, auth)) {
      return {
        status: 401,
        body: { error: 'unauthorized' },
        headers: {
          'www-authenticate': auth.type === 'bearer' ? 'Bearer' : 'Basic realm="webhook"',
        },
      };
    }
    if (request.method === 'HEAD' || request.method === 'GET') return { status: 200 };
    if (request.method !== 'POST') return { status: 405, body: { error: 'method not allowed' } };
    if (request.body === undefined || request.body === INVALID_JSON)
      return { status: 400, body: { error: 'body must be JSON' } };
    this.received.set(request.path, (this.received.get(request.path) ?? 0) + 1);
    this.payloadBytesTotal += request.bodyBytes;
    pushRecent(this.payloadBytes, request.bodyBytes, this.keepRecent);
    return { status: 200, body: { status: 'accepted' } };
  }
}

function authorized(header: string | undefined, auth: WebhookAuth): boolean {
  const expected =
    auth.type === 'bearer'
      ? `Bearer ${auth.token}`
      : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const given = Buffer.from(header ?? '');
  const want = Buffer.from(expected);
  return given.length === want.length && timingSafeEqual(given, want);
}
