/**
 * Fake Slack Web API: `chat.postMessage` (threads via `thread_ts`) and `api.test` for health checks.
 * Like Slack, application errors come back as HTTP 200 with `{ ok: false, error }`; only the
 * injected failure modes use other statuses.
 */
import {
  FakeTargetServer,
  bearerToken,
  type FakeRequest,
  type FakeResponse,
} from './fake-target-server.js';
import { isRecord } from '../json.js';

export interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  threadTs?: string;
}

export class FakeSlackServer extends FakeTargetServer {
  readonly kind = 'slack';
  readonly messages: SlackMessage[] = [];
  private sequence = 0;

  /** Messages posted as replies in a thread. */
  get threadReplies(): number {
    return this.messages.filter((message) => message.threadTs !== undefined).length;
  }

  protected override errorBody(status: number): unknown {
    if (status === 429) return { ok: false, error: 'ratelimited' };
    if (status === 401 || status === 403) return { ok: false, error: 'invalid_auth' };
    return { ok: false, error: 'internal_error' };
  }

  protected handle(request: FakeRequest): FakeResponse {
    if (request.method !== 'POST')
      return { status: 405, body: { ok: false, error: 'method_not_allowed' } };
    if (!bearerToken(request.headers))
      return { status: 200, body: { ok: false, error: 'not_authed' } };
    if (request.path === '/api/api.test') return { status: 200, body: { ok: true } };
    if (request.path !== '/api/chat.postMessage')
      return { status: 404, body: { ok: false, error: 'unknown_method' } };

    const body = request.body;
    if (!isRecord(body)) return { status: 200, body: { ok: false, error: 'invalid_json' } };
    const { channel, text, thread_ts: threadTs } = body;
    if (typeof channel !== 'string' || channel === '')
      return { status: 200, body: { ok: false, error: 'channel_not_found' } };
    if (typeof text !== 'string' || text === '')
      return { status: 200, body: { ok: false, error: 'no_text' } };
    if (threadTs !== undefined) {
      const parent = this.messages.find(
        (message) => message.ts === threadTs && message.channel === channel,
      );
      if (typeof threadTs !== 'string' || !parent)
        return { status: 200, body: { ok: false, error: 'thread_not_found' } };
    }

    const ts = this.nextTs();
    this.messages.push({
      channel,
      ts,
      text,
      ...(typeof threadTs === 'string' ? { threadTs } : {}),
    });
    return {
      status: 200,
      body: {
        ok: true,
        channel,
        ts,
        message: { text, ts, ...(threadTs ? { thread_ts: threadTs } : {}) },
      },
    };
  }

  /** Slack timestamps are "seconds.micro" strings, unique per channel. */
  private nextTs(): string {
    this.sequence++;
    return `${Math.floor(Date.now() / 1000)}.${String(this.sequence).padStart(6, '0')}`;
  }
}
