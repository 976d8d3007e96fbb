import { PUBLISHER_ERROR_REASONS, type PublisherErrorReason } from '../publish-errors.js';
import { enumIndex } from '../series/enum-index.js';
import type { NumberStore } from '../series/number-store.js';
import { OpenLabel } from '../series/open-label.js';
import { UNKNOWN_TYPE } from '../series/target-labels.js';
import { TargetRecords } from '../series/target-records.js';
import { usableLabelValue } from '../series/label-value.js';
import { MAX_COUNT, MAX_DURATION_SECONDS, MAX_PAYLOAD_BYTES } from './limits.js';
import type { RecorderContext } from './recorder.js';
import { labelProblem } from './rejections.js';
import { TargetRecorder } from './target-recorder.js';

export type RootlyIncidentAction = 'created' | 'updated' | 'resolved';
export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve' | 'change';

const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx', 'error'] as const;
const ERROR_CLASS = STATUS_CLASSES.length - 1;
const ROOTLY_ACTIONS: readonly RootlyIncidentAction[] = ['created', 'updated', 'resolved'];
const PAGERDUTY_ACTIONS: readonly PagerDutyAction[] = [
  'trigger',
  'acknowledge',
  'resolve',
  'change',
];
const REASON = enumIndex(PUBLISHER_ERROR_REASONS);
const ROOTLY_ACTION = enumIndex(ROOTLY_ACTIONS);
const PAGERDUTY_ACTION = enumIndex(PAGERDUTY_ACTIONS);

// Layout of a (publisher, target) slot record.
const REQUESTS = 0; // by status class
const ERRORS = REQUESTS + STATUS_CLASSES.length; // by reason
const DURATION = ERRORS + PUBLISHER_ERROR_REASONS.length;
const RATE_LIMITS = DURATION + 1;
const RECORD_SIZE = RATE_LIMITS + 1;

/** The series of one publisher talking to one target (a list: a target rarely has two). */
interface PublisherSlots {
  /** The publisher argument this record was first found by (fast-path comparison). */
  readonly key: string;
  /** Its label value (`other` past the cap). */
  readonly label: string;
  readonly slots: Int32Array;
  readonly next: PublisherSlots | undefined;
}

/** A target's records: per publisher, and its webhook series. */
interface TargetSlots {
  readonly label: string;
  publishers: PublisherSlots | undefined;
  payload: number;
  readonly auth: Map<string, number>;
}

const NO_SLOT = -1;

/** The status class index of an HTTP status (2xx..5xx) or `error`; -1 when neither. */
function statusClass(status: number | 'error'): number {
  if (status === 'error') return ERROR_CLASS;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
    return -1;
  }
  return Math.floor(status / 100) - 2;
}

/**
 * Records what publishers (Slack, Rootly, PagerDuty, webhooks, or the host's own) do per request.
 * A (publisher, target) pair's series start at zero for every status class and error reason the
 * first time the pair is seen, or when a port reports the target (with publisher = its type).
 */
export class PublisherRecorder extends TargetRecorder {
  private readonly requests = this.counter('publisher_requests_total');
  private readonly errors = this.counter('publisher_errors_total');
  private readonly duration = this.histogram('publisher_request_duration_seconds');
  private readonly rateLimits = this.counter('publisher_rate_limit_hits_total');
  private readonly payloads = this.histogram('webhook_payload_size_bytes');
  private readonly authFailures = this.counter('webhook_auth_failures_total');
  private readonly slackHits = this.counter('slack_cache_hits_total');
  private readonly slackMisses = this.counter('slack_cache_misses_total');
  private readonly slackReplies = this.counter('slack_thread_replies_total');
  private readonly slackCacheSize = this.gauge('slack_cache_size');
  private readonly rootlyIncidents = this.counter('rootly_incidents_total');
  private readonly rootlyActive = this.gauge('rootly_active_incidents');
  private readonly pagerDutyEvents = this.counter('pagerduty_events_total');
  private readonly fixed = {
    slackHit: this.slackHits.slot([]),
    slackMiss: this.slackMisses.slot([]),
    slackReply: this.slackReplies.slot([]),
    slackCacheSize: this.slackCacheSize.slot([]),
    rootlyActive: this.rootlyActive.slot([]),
    rootly: Int32Array.from(ROOTLY_ACTIONS.map((action) => this.rootlyIncidents.slot([action]))),
    pagerDuty: Int32Array.from(
      PAGERDUTY_ACTIONS.map((action) => this.pagerDutyEvents.slot([action])),
    ),
  };
  private readonly publisherLabels = new OpenLabel<string>((value) => value);
  private readonly authTypes = new OpenLabel<string>((value) => value);
  private readonly targets = new TargetRecords<TargetSlots>(this.labels, (label) => ({
    label,
    publishers: undefined,
    payload: NO_SLOT,
    auth: new Map(),
  }));

  constructor(context: RecorderContext) {
    super(context, 'publisher');
  }

  /** One request: `status` is the HTTP status, or `'error'` when no response arrived. */
  recordRequest(
    publisher: string,
    target: string,
    status: number | 'error',
    durationSeconds: number,
  ): void {
    const record = this.publisherSlots(publisher, target);
    const cls = statusClass(status);
    if (record === undefined || cls < 0) {
      this.rejectPublisherCall(publisher, target, record);
      return;
    }
    this.requests.values[record.slots[REQUESTS + cls]!]! += 1;
    if (this.valid(durationSeconds, MAX_DURATION_SECONDS))
      this.duration.observe(record.slots[DURATION]!, durationSeconds);
  }

  recordError(publisher: string, target: string, reason: PublisherErrorReason): void {
    const record = this.publisherSlots(publisher, target);
    const r = REASON[reason];
    if (record === undefined || r === undefined) {
      this.rejectPublisherCall(publisher, target, record);
      return;
    }
    this.errors.values[record.slots[ERRORS + r]!]! += 1;
  }

  recordRateLimitHit(publisher: string, target: string): void {
    const record = this.publisherSlots(publisher, target);
    if (record === undefined) {
      this.rejectPublisherCall(publisher, target, record);
      return;
    }
    this.rateLimits.values[record.slots[RATE_LIMITS]!]! += 1;
  }

  recordSlackCacheLookup(hit: boolean): void {
    if (hit) this.slackHits.values[this.fixed.slackHit]! += 1;
    else this.slackMisses.values[this.fixed.slackMiss]! += 1;
  }

  recordSlackThreadReply(): void {
    this.slackReplies.values[this.fixed.slackReply]! += 1;
  }

  setSlackCacheSize(entries: number): void {
    if (this.valid(entries, MAX_COUNT))
      this.slackCacheSize.values[this.fixed.slackCacheSize] = entries;
  }

  recordRootlyIncident(action: RootlyIncidentAction): void {
    this.countAction(this.rootlyIncidents, this.fixed.rootly, ROOTLY_ACTION[action]);
  }

  setRootlyActiveIncidents(count: number): void {
    if (this.valid(count, MAX_COUNT)) this.rootlyActive.values[this.fixed.rootlyActive] = count;
  }

  recordPagerDutyEvent(action: PagerDutyAction): void {
    this.countAction(this.pagerDutyEvents, this.fixed.pagerDuty, PAGERDUTY_ACTION[action]);
  }

  /** Counts one event of `store`'s series of action index `action` (undefined: not an action). */
  private countAction(store: NumberStore, slots: Int32Array, action: number | undefined): void {
    if (action === undefined) {
      this.reject('unknown_value');
      return;
    }
    store.values[slots[action]!]! += 1;
  }

  /** Size of one webhook request body, bytes. */
  recordWebhookPayload(target: string, bytes: number): void {
    const record = this.targets.get(target);
    if (record === undefined) {
      this.rejectCall(target);
      return;
    }
    if (!this.valid(bytes, MAX_PAYLOAD_BYTES)) return;
    this.payloads.observe(this.payloadSlot(record), bytes);
  }

  /** A webhook answered 401/403; `authType` is the configured scheme (bearer, basic, hmac, ...). */
  recordWebhookAuthFailure(target: string, authType: string): void {
    const record = this.targets.get(target);
    const label = this.authTypes.get(authType);
    if (record === undefined || label === undefined) {
      if (record === undefined) this.rejectCall(target);
      else this.reject(labelProblem(authType, 'empty_label', 'empty_label'));
      return;
    }
    let slot = record.auth.get(label);
    if (slot === undefined) {
      slot = this.slotOf(this.authFailures, { target: record.label, auth_type: label });
      record.auth.set(label, slot);
    }
    this.authFailures.values[slot]! += 1;
  }

  /** A port reported the target or learned its type: its series (publisher = type) start at 0. */
  onTarget(target: string, type: string): void {
    this.targets.invalidate(target);
    if (type === UNKNOWN_TYPE) return;
    const record = this.targets.get(target);
    if (record === undefined) return;
    this.findOrCreate(record, type);
    if (type === 'webhook') this.payloadSlot(record);
  }

  override forgetTarget(target: string): void {
    this.targets.forget(target);
    if (this.labels.mode === 'target') super.forgetTarget(target);
  }

  /** The reason of a dropped call: its target, then its publisher, else an unknown value. */
  private rejectPublisherCall(
    publisher: string,
    target: string,
    record: PublisherSlots | undefined,
  ): void {
    if (record !== undefined) this.reject('unknown_value');
    else if (labelProblem(target, 'empty_target', 'unknown_value') !== 'unknown_value')
      this.rejectCall(target);
    else this.reject(labelProblem(publisher, 'empty_label', 'empty_label'));
  }

  private publisherSlots(publisher: string, target: string): PublisherSlots | undefined {
    const record = this.targets.get(target);
    if (record !== undefined) {
      for (let p = record.publishers; p !== undefined; p = p.next)
        if (p.key === publisher) return p;
    }
    return this.publisherSlotsSlow(publisher, target);
  }

  private publisherSlotsSlow(publisher: string, target: string): PublisherSlots | undefined {
    if (!usableLabelValue(publisher) || !usableLabelValue(target)) return undefined;
    // The publisher is the target's type unless a port says otherwise (`type` mode keys by it).
    this.labels.suggest(target, publisher);
    const record = this.targets.get(target);
    return record === undefined ? undefined : this.findOrCreate(record, publisher);
  }

  private findOrCreate(record: TargetSlots, publisher: string): PublisherSlots | undefined {
    const label = this.publisherLabels.get(publisher);
    if (label === undefined) return undefined;
    for (let p = record.publishers; p !== undefined; p = p.next) if (p.label === label) return p;
    const target = record.label;
    const slots = new Int32Array(RECORD_SIZE);
    STATUS_CLASSES.forEach((status, i) => {
      slots[REQUESTS + i] = this.slotOf(this.requests, { publisher: label, target, status });
    });
    PUBLISHER_ERROR_REASONS.forEach((reason, i) => {
      slots[ERRORS + i] = this.slotOf(this.errors, { publisher: label, target, reason });
    });
    slots[DURATION] = this.slotOf(this.duration, { publisher: label, target });
    slots[RATE_LIMITS] = this.slotOf(this.rateLimits, { publisher: label, target });
    const created: PublisherSlots = { key: publisher, label, slots, next: record.publishers };
    record.publishers = created;
    return created;
  }

  private payloadSlot(record: TargetSlots): number {
    if (record.payload === NO_SLOT) {
      record.payload = this.slotOf(this.payloads, { target: record.label });
    }
    return record.payload;
  }
}
