/**
 * Fake PagerDuty Events API v2: POST /v2/enqueue with `event_action` trigger / acknowledge /
 * resolve answers 202 `{ status: "success", dedup_key }`, 400 `invalid event` otherwise. The real API
 * has no health endpoint; GET / answers 200 so a reachability probe has something to hit.
 */
import { randomUUID } from 'node:crypto';
import {
  FakeTargetServer,
  pushRecent,
  type FakeRequest,
  type FakeResponse,
} from './fake-target-server.js';
import { isRecord } from '../json.js';

export type PagerDutyEventAction = 'trigger' | 'acknowledge' | 'resolve';
const ACTIONS = new Set<string>(['trigger', 'acknowledge', 'resolve']);
const SEVERITIES = new Set<string>(['critical', 'error', 'warning', 'info']);

export interface PagerDutyEvent {
  action: PagerDutyEventAction;
  dedupKey: string;
  summary?: string;
}

export class FakePagerDutyServer extends FakeTargetServer {
  readonly kind = 'pagerduty';
  /** The most recent events accepted, oldest first (at most `keepRecent`). */
  readonly events: PagerDutyEvent[] = [];
  /** Events accepted, lifetime. */
  accepted = 0;
  /** Dedup keys with a triggered, unresolved alert (as many as the client's distinct keys). */
  readonly openAlerts = new Set<string>();

  protected override errorBody(status: number): unknown {
    if (status === 429)
      return {
        status: 'throttle event',
        message: 'Requests for this service are arriving too quickly',
      };
    return { status: 'error', message: 'Request failed' };
  }

  protected handle(request: FakeRequest): FakeResponse {
    if (request.method === 'GET' && request.path === '/')
      return { status: 200, body: { status: 'ok' } };
    if (request.path !== '/v2/enqueue')
      return { status: 404, body: { status: 'error', message: 'Not found' } };
    if (request.method !== 'POST')
      return { status: 405, body: { status: 'error', message: 'Method not allowed' } };

    const body = request.body;
    const errors = validate(body);
    if (errors.length > 0 || !isRecord(body)) {
      return {
        status: 400,
        body: { status: 'invalid event', message: 'Event object is invalid', errors },
      };
    }
    const action = body.event_action as PagerDutyEventAction;
    const dedupKey =
      typeof body.dedup_key === 'string' && body.dedup_key !== '' ? body.dedup_key : randomUUID();
    const summary =
      isRecord(body.payload) && typeof body.payload.summary === 'string'
        ? body.payload.summary
        : undefined;
    this.accepted++;
    pushRecent(
      this.events,
      { action, dedupKey, ...(summary === undefined ? {} : { summary }) },
      this.keepRecent,
    );
    if (action === 'trigger') this.openAlerts.add(dedupKey);
    if (action === 'resolve') this.openAlerts.delete(dedupKey);
    return {
      status: 202,
      body: { status: 'success', message: 'Event processed', dedup_key: dedupKey },
    };
  }
}

function validate(body: unknown): string[] {
  if (!isRecord(body)) return ['Event must be a JSON object'];
  const errors: string[] = [];
  if (typeof body.routing_key !== 'string' || body.routing_key.length !== 32)
    errors.push('Invalid routing key');
  if (typeof body.event_action !== 'string' || !ACTIONS.has(body.event_action))
    errors.push('Invalid event_action');
  if (body.event_action !== 'trigger' && typeof body.dedup_key !== 'string')
    errors.push('dedup_key is required');
  if (body.event_action === 'trigger') {
    const payload = body.payload;
    if (!isRecord(payload)) errors.push('payload is required');
    else {
      if (typeof payload.summary !== 'string' || payload.summary === '')
        errors.push('payload.summary is required');
      if (typeof payload.source !== 'string' || payload.source === '')
        errors.push('payload.source is required');
      if (typeof payload.severity !== 'string' || !SEVERITIES.has(payload.severity))
        errors.push('payload.severity is invalid');
    }
  }
  return errors;
}
