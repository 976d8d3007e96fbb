import { instrumentName, metricDefinition, type MetricDefinition } from '../catalog.js';
import { HistogramStore } from '../series/histogram-store.js';
import { NumberStore } from '../series/number-store.js';
import type { SeriesStore } from '../series/series-store.js';
import type { TargetGuard } from '../series/target-guard.js';
import type { TargetLabels } from '../series/target-labels.js';
import {
  labelProblem,
  numberProblem,
  type RecorderRejections,
  type RejectReason,
} from './rejections.js';

/** What every recorder shares with the collector that publishes it (built once by it). */
export interface RecorderContext {
  readonly namespace: string;
  readonly targets: TargetGuard;
  /** The collector's target-label mode and target types: the labels of per-target series. */
  readonly labels: TargetLabels;
  /** The collector's one `recorder_rejected_total` store. */
  readonly rejections: RecorderRejections;
}

/** Methods a host calls, possibly detached (`const { recordJob } = collector.queue`). */
const HOST_METHOD = /^(record|set|forget)[A-Z]/;

/**
 * Binds the host-facing methods of `recorder` to it, once at construction: a detached call then
 * works, and a call stays one property load plus the method (no allocation per call).
 */
function bindHostMethods(recorder: object): void {
  const own = recorder as Record<string, unknown>;
  for (
    let proto: object | null = Object.getPrototypeOf(recorder) as object | null;
    proto !== null && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (!HOST_METHOD.test(name) || Object.hasOwn(own, name)) continue;
      const method = own[name];
      if (typeof method === 'function') own[name] = method.bind(recorder);
    }
  }
}

/**
 * Base of the hot-path recorders: owns the series stores of its catalog metrics and counts the
 * values it had to reject (`recorder_rejected_total{recorder, reason}`), because a recorder never
 * throws into the host's delivery path.
 */
export abstract class Recorder {
  readonly stores: SeriesStore[] = [];
  /** Calls or values rejected since start, all reasons (see `recorder_rejected_total`). */
  rejectedValues = 0;
  private readonly rejections: RecorderRejections;
  private readonly rejectionSlots: Int32Array;

  constructor(
    protected readonly context: RecorderContext,
    /** The `recorder` label of its rejections. */
    readonly recorderName: string,
  ) {
    this.rejections = context.rejections;
    this.rejectionSlots = this.rejections.slotsOf(recorderName);
    bindHostMethods(this);
  }

  /** The store of catalog counter `name`, with the labels of the collector's target-label mode. */
  protected counter(name: string): NumberStore {
    return this.add(new NumberStore('counter', ...this.resolve(name, 'counter')));
  }

  protected histogram(name: string): HistogramStore {
    return this.add(new HistogramStore(...this.resolve(name, 'histogram')));
  }

  protected gauge(name: string): NumberStore {
    return this.add(new NumberStore('gauge', ...this.resolve(name, 'gauge')));
  }

  /**
   * A target left the pipeline: its series leave the exports at once; their values are kept,
   * unexported, until `dropRetired` (the registry's grace period), and resume when the target's
   * series are created again, so a returning target's counters stay monotonic.
   */
  forgetTarget(target: string): void {
    for (const store of this.stores) store.retireWhere('target', target);
  }

  /** Forgets the kept values of a target that did not come back within the grace period. */
  dropRetired(target: string): void {
    for (const store of this.stores) store.dropRetired(target);
  }

  /**
   * True for a number in [0, max]; otherwise counts the rejection with its reason. A numeric
   * string is rejected too: `>=` would coerce it, and `sum += '12'` concatenates.
   */
  protected valid(value: number, max: number): boolean {
    if (typeof value === 'number' && value >= 0 && value <= max) return true;
    this.reject(numberProblem(value));
    return false;
  }

  /** Counts a dropped call or value. */
  protected reject(reason: RejectReason): void {
    this.rejectedValues++;
    this.rejections.count(this.rejectionSlots, reason);
  }

  /**
   * Counts a call dropped because a label argument or an enum value was unusable: the target's
   * problem when `target` is unusable, else `unknown_value`.
   */
  protected rejectCall(target: unknown): void {
    this.reject(labelProblem(target, 'empty_target', 'unknown_value'));
  }

  private add<T extends SeriesStore>(store: T): T {
    this.stores.push(store);
    return store;
  }

  /** The definition as exported (labels of the target-label mode) and the instrument name. */
  private resolve(name: string, kind: MetricDefinition['kind']): [MetricDefinition, string] {
    const def = metricDefinition(name);
    if (def.kind !== kind)
      throw new Error(`catalog metric '${name}' is a ${def.kind}, not a ${kind}`);
    return [this.context.labels.relabel(def), instrumentName(def, this.context.namespace)];
  }
}
