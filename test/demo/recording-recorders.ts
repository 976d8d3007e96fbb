/**
 * Test double of the demo's recorder interfaces: every call is kept as `recorder.method` plus its
 * arguments, so tests can count exactly what the pipeline reported.
 */
import type {
  DiscoveryRecorder,
  PublisherRecorder,
  QueueRecorder,
  Recorders,
  RefreshRecorder,
} from '../../examples/alert-publisher/recorders.js';

export interface RecordedCall {
  name: string;
  args: unknown[];
}

export class RecordingRecorders implements Recorders {
  readonly calls: RecordedCall[] = [];
  readonly queue: QueueRecorder;
  readonly publisher: PublisherRecorder;
  readonly discovery: DiscoveryRecorder;
  readonly refresh: RefreshRecorder;

  constructor() {
    const sink =
      (name: string) =>
      (...args: unknown[]): void => {
        this.calls.push({ name, args });
      };
    this.queue = {
      recordSubmission: sink('queue.recordSubmission'),
      recordJob: sink('queue.recordJob'),
      recordRetry: sink('queue.recordRetry'),
      recordCircuitTransition: sink('queue.recordCircuitTransition'),
      recordDlqWrite: sink('queue.recordDlqWrite'),
      recordDlqReplay: sink('queue.recordDlqReplay'),
    };
    this.publisher = {
      recordRequest: sink('publisher.recordRequest'),
      recordError: sink('publisher.recordError'),
      recordRateLimitHit: sink('publisher.recordRateLimitHit'),
      recordSlackCacheLookup: sink('publisher.recordSlackCacheLookup'),
      recordSlackThreadReply: sink('publisher.recordSlackThreadReply'),
      setSlackCacheSize: sink('publisher.setSlackCacheSize'),
      recordRootlyIncident: sink('publisher.recordRootlyIncident'),
      setRootlyActiveIncidents: sink('publisher.setRootlyActiveIncidents'),
      recordPagerDutyEvent: sink('publisher.recordPagerDutyEvent'),
      recordWebhookPayload: sink('publisher.recordWebhookPayload'),
      recordWebhookAuthFailure: sink('publisher.recordWebhookAuthFailure'),
    };
    this.discovery = {
      recordDiscovery: sink('discovery.recordDiscovery'),
      recordError: sink('discovery.recordError'),
      recordSecret: sink('discovery.recordSecret'),
      recordLookup: sink('discovery.recordLookup'),
    };
    this.refresh = { recordRefresh: sink('refresh.recordRefresh') };
  }

  /** Calls of `name` whose leading arguments equal `args`. */
  count(name: string, ...args: unknown[]): number {
    return this.named(name, ...args).length;
  }

  named(name: string, ...args: unknown[]): RecordedCall[] {
    return this.calls.filter(
      (call) => call.name === name && args.every((arg, i) => Object.is(call.args[i], arg)),
    );
  }

  /** The last value passed to a gauge-style setter. */
  last(name: string): unknown {
    return this.named(name).at(-1)?.args[0];
  }

  clear(): void {
    this.calls.length = 0;
  }
}
