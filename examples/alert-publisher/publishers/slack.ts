/**
 * Slack via chat.postMessage. The first firing notification starts a thread; re-notifications and
 * the resolution reply in it (the message cache maps fingerprint → ts). Slack reports most errors
 * as HTTP 200 `{ ok: false, error }`, so the body decides success, not the status. A thread whose
 * first message is gone (`thread_not_found`: deleted, or aged out of the fake server) is forgotten
 * and the alert starts a new one, instead of failing every later notification of that alert.
 */
import type { Alert } from '../pipeline/alert.js';
import { isRecord } from '../json.js';
import type { PublisherErrorReason } from '../recorders.js';
import { parseJsonBody } from './http-client.js';
import { HttpPublisher, type ProbeResult } from './publisher.js';
import type { SlackThread } from './slack-message-cache.js';

const AUTH_ERRORS = new Set([
  'not_authed',
  'invalid_auth',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'missing_scope',
]);

const ICON: Record<string, string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
};

export class SlackPublisher extends HttpPublisher {
  readonly kind = 'slack';

  async publish(alert: Alert, signal?: AbortSignal): Promise<void> {
    const { name } = this.target;
    const cache = this.context.slackCache;
    let thread = cache.lookup(name, alert.fingerprint);
    let posted = await this.post(alert, thread, signal);
    if (posted === undefined) {
      cache.delete(name, alert.fingerprint);
      thread = undefined;
      posted = await this.post(alert, undefined, signal);
    }
    if (posted === undefined) throw this.fail('format', 'thread_not_found without a thread');
    if (thread) this.recorder.recordSlackThreadReply();
    if (alert.status === 'resolved') cache.delete(name, alert.fingerprint);
    else if (!thread) cache.store(name, alert.fingerprint, posted);
  }

  probe(timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
    return this.probeWith(
      { method: 'POST', path: '/api/api.test', body: {} },
      timeoutMs,
      signal,
      (response) => {
        const body = parseJsonBody(response.text);
        return response.status === 200 && isRecord(body) && body.ok === true;
      },
    );
  }

  /** Posts the alert, in `thread` when given; undefined when that thread no longer exists. */
  private post(
    alert: Alert,
    thread: SlackThread | undefined,
    signal?: AbortSignal,
  ): Promise<SlackThread | undefined> {
    return this.postMessage(
      {
        channel: thread?.channel ?? this.target.channel ?? '#alerts',
        text: formatText(alert, thread !== undefined),
        ...(thread ? { thread_ts: thread.ts } : {}),
      },
      signal,
    );
  }

  private async postMessage(
    message: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<SlackThread | undefined> {
    const response = await this.send({
      method: 'POST',
      path: '/api/chat.postMessage',
      body: message,
      ...(signal ? { signal } : {}),
    });
    const body = parseJsonBody(response.text);
    if (!isRecord(body) || typeof body.ok !== 'boolean')
      throw this.fail('format', 'response is not a Slack API object');
    if (!body.ok) {
      const error = typeof body.error === 'string' ? body.error : 'unknown_error';
      const failure = this.fail(slackErrorReason(error), error, { status: response.status });
      if (error === 'thread_not_found' && message.thread_ts !== undefined) return undefined;
      throw failure;
    }
    if (typeof body.ts !== 'string' || typeof body.channel !== 'string')
      throw this.fail('format', 'ok response without ts/channel');
    return { channel: body.channel, ts: body.ts };
  }
}

function slackErrorReason(error: string): PublisherErrorReason {
  if (AUTH_ERRORS.has(error)) return 'authError';
  if (error === 'ratelimited') return 'rateLimited';
  if (error === 'internal_error' || error === 'fatal_error' || error === 'service_unavailable')
    return 'serverError';
  return 'clientError';
}

function formatText(alert: Alert, inThread: boolean): string {
  const { alertname, severity, instance } = alert.labels;
  if (alert.status === 'resolved')
    return `:white_check_mark: [RESOLVED] ${alertname} on ${instance}`;
  const prefix = inThread ? 'Still firing: ' : `${ICON[severity] ?? ''} [FIRING] `;
  return `${prefix}${alertname} (${severity}) on ${instance}: ${alert.annotations.summary}`;
}
