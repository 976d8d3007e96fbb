/**
 * Fake Slack Web API: `chat.postMessage` (threads via `thread_ts`) and `api.test` for health checks.
 * Like Slack, application errors come back as HTTP 200 with `{ ok: false, error }`; only the
 * injected failure modes use other statuses.
 *
 * Memory stays flat however long it runs: it keeps the last `keepRecent` messages for inspection,
 * counts the rest, and remembers the last `keepThreads` top-level messages as thread parents; a reply
 * under an older one gets `thread_not_found`, as under a deleted message in Slack.
 */
import {
  FakeTargetServer,
  bearerToken,
  pushRecent,
  type FakeRequest,
  type FakeResponse,
  type FakeServerOptions,
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
  /** The most recent messages, oldest first (at most `keepRecent`). */
  readonly messages: SlackMessage[] = [];
  /** Messages posted, lifetime. */
  posted = 0;
  /** Messages posted as replies in a thread, lifetime. */
  threadReplies = 0;
  /** ts → channel of the top-level messages a reply may thread under, oldest first. */
  private readonly threadParents = new Map<string, string>();
  private readonly keepThreads: number;
  private sequence = 0;

  constructor(options: FakeServerOptions & { keepThreads?: number } = {}) {
    super(options);
    // The demo starts up to 0.3 threads per alert: 2,000 cover minutes at 50 alerts/s, 20 at the
    // default 5/s (≈ 0.25 MiB). A thread is replied to until its alert resolves (seconds), or later
    // when a reply waited in the DLQ; the publisher starts a new thread should its parent be gone.
    this.keepThreads = options.keepThreads ?? 2_000;
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
      if (typeof threadTs !== 'string' || this.threadParents.get(threadTs) !== channel)
        return { status: 200, body: { ok: false, error: 'thread_not_found' } };
    }

    const ts = this.nextTs();
    this.posted++;
    if (typeof threadTs === 'string') this.threadReplies++;
    pushRecent(
      this.messages,
      { channel, ts, text, ...(typeof threadTs === 'string' ? { threadTs } : {}) },
      this.keepRecent,
    );
    if (typeof threadTs !== 'string') {
      this.threadParents.set(ts, channel);
      if (this.threadParents.size > this.keepThreads) {
        const oldest = this.threadParents.keys().next().value;
        if (oldest !== undefined) this.threadParents.delete(oldest);
      }
    }
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

  /** Slack timestamps are "seconds.micro" strings, unique per channel (here: per server). */
  private nextTs(): string {
    this.sequence++;
    return `${Math.floor(Date.now() / 1000)}.${String(this.sequence).padStart(6, '0')}`;
  }
}
