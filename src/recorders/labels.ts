import type { Attributes } from '@opentelemetry/api';
import type { MetricDefinition } from '../catalog.js';
import type { TargetGuard } from '../cardinality.js';
import { usableLabelValue } from './limits.js';

/**
 * How per-target series are labelled. `target` (default): by target name, capped by the
 * TargetGuard. `type`: the `target` label is removed and series are keyed by the target's type
 * instead (as Alertmanager labels notifications by integration, not by receiver).
 */
export type TargetLabelMode = 'target' | 'type';

/** The label value that values of an open label beyond its cap fold into. */
export const OTHER_LABEL_VALUE = 'other';

/** The type of a target no health check, discovery or publisher call has named yet. */
export const UNKNOWN_TYPE = 'unknown';

/** Distinct values an open label (operation, error type, publisher, type, ...) keeps. */
export const DEFAULT_LABEL_VALUES = 64;

/**
 * Targets whose type `type` mode remembers (a map entry of ~100 B each, so at most ~10 MB
 * whatever a broken discovery source reports); beyond that, a new target counts as `unknown`.
 */
export const MAX_TYPED_TARGETS = 100_000;

/**
 * An open-vocabulary label: each value gets an entry (a slot, an interned label) on first use, up
 * to `cap` values; later values share the `other` entry. Values are never dropped, so a lookup
 * after the first use is one `Map.get` and allocates nothing.
 */
export class OpenLabel<T> {
  private readonly entries = new Map<string, T>();
  private other: T | undefined;

  constructor(
    private readonly create: (value: string) => T,
    readonly cap = DEFAULT_LABEL_VALUES,
  ) {}

  /** The entry of `value`; undefined for a non-string, empty or over-long value. */
  get(value: string): T | undefined {
    const entry = this.entries.get(value);
    return entry !== undefined ? entry : this.add(value);
  }

  get size(): number {
    return this.entries.size;
  }

  private add(value: string): T | undefined {
    if (!usableLabelValue(value)) return undefined;
    if (this.entries.size < this.cap) {
      const entry = this.create(value);
      this.entries.set(value, entry);
      return entry;
    }
    if (this.other === undefined) this.other = this.create(OTHER_LABEL_VALUE);
    return this.other;
  }
}

/** Told when a target is first seen or its type changes, so recorders can zero-initialise it. */
export interface TargetListener {
  onTarget(target: string, type: string): void;
}

const registry = new WeakMap<TargetGuard, TargetLabels>();

/**
 * The one place where the label of a per-target series is decided. In `target` mode the label
 * value is the target name (or `__overflow__` past the guard's cap); in `type` mode it is the
 * target's type, learned from health checks and discovery (authoritative) or publisher calls
 * (only while no port has named it), and the metric's `target` label becomes `type` — or is
 * dropped where the metric already carries `type` or `publisher`:
 *
 * | metric | labels in `type` mode |
 * |---|---|
 * | target_health_status | type |
 * | target_consecutive_failures, target_success_rate, target_check_latency_seconds, target_last_check_timestamp_seconds | type |
 * | circuit_breaker_state, dlq_size | type |
 * | jobs_processed_total | type, state |
 * | job_duration_seconds | type, priority |
 * | retry_attempts_total, dlq_writes_total | type, error_type |
 * | dlq_replays_total | type, result |
 * | circuit_breaker_trips_total, circuit_breaker_recoveries_total | type |
 * | publisher_requests_total | publisher, status |
 * | publisher_errors_total | publisher, reason |
 * | publisher_request_duration_seconds, publisher_rate_limit_hits_total | publisher |
 * | webhook_payload_size_bytes | type |
 * | webhook_auth_failures_total | type, auth_type |
 *
 * Gauges of several targets of one type are folded as over the cardinality cap (dlq_size summed,
 * success rate the minimum, the others the maximum). Types are an open label (64 values).
 */
export class TargetLabels {
  private readonly types = new Map<string, string>();
  private readonly typeLabels = new OpenLabel<string>((value) => value);
  private readonly listeners = new Set<TargetListener>();

  constructor(
    readonly guard: TargetGuard,
    readonly mode: TargetLabelMode = 'target',
  ) {
    if (mode !== 'target' && mode !== 'type') {
      throw new RangeError(`targetLabel must be 'target' or 'type', got '${String(mode)}'`);
    }
    registry.set(guard, this);
  }

  /** The TargetLabels of a guard (target mode unless a collector created it otherwise). */
  static of(guard: TargetGuard): TargetLabels {
    return registry.get(guard) ?? new TargetLabels(guard);
  }

  /** The value a target's series carry in the target's label position. */
  resolve(target: string): string {
    if (this.mode === 'target') return this.guard.admit(target);
    const type = this.types.get(target);
    return type !== undefined ? type : UNKNOWN_TYPE;
  }

  /**
   * True when `resolve(target)` (which returned `label`) stays valid until the target is
   * forgotten or retyped (listeners hear of both), so a recorder may cache it by target.
   */
  isStable(target: string, label: string): boolean {
    return this.mode === 'target' ? label === target : this.types.has(target);
  }

  /** The target's type label, `unknown` when not known. */
  typeOf(target: string): string {
    return this.types.get(target) ?? UNKNOWN_TYPE;
  }

  /** A port collector reported `target`, with its type when the port knows it. */
  note(target: string, type?: string): void {
    const previous = this.types.get(target);
    const label = type === undefined ? undefined : this.typeLabels.get(type);
    if (previous !== undefined && (label === undefined || label === previous)) return;
    this.learn(target, previous, label ?? UNKNOWN_TYPE);
  }

  /** A publisher call named the target's type; ports, when they know it, take precedence. */
  suggest(target: string, type: string): void {
    const previous = this.types.get(target);
    if (previous !== undefined && previous !== UNKNOWN_TYPE) return;
    const label = this.typeLabels.get(type);
    if (label === undefined || label === previous) return;
    this.learn(target, previous, label);
  }

  /** Forgets a target that left the pipeline. */
  forget(target: string): void {
    this.types.delete(target);
  }

  subscribe(listener: TargetListener): void {
    this.listeners.add(listener);
  }

  /** The definition with the labels this mode exports. */
  relabel(def: MetricDefinition): MetricDefinition {
    if (this.mode === 'target' || !def.labels.includes('target')) return def;
    const drop = def.labels.includes('type') || def.labels.includes('publisher');
    const labels = drop
      ? def.labels.filter((l) => l !== 'target')
      : def.labels.map((l) => (l === 'target' ? 'type' : l));
    return { ...def, labels };
  }

  /** `type` mode: the attributes of a port observation of `target`. */
  typeAttributes(def: MetricDefinition, attributes: Attributes, target: string): Attributes {
    const out: Attributes = {};
    for (const label of this.relabel(def).labels) {
      if (label !== 'type') out[label] = attributes[label];
      else {
        const given = attributes['type'];
        out['type'] =
          (typeof given === 'string' && this.typeLabels.get(given)) || this.typeOf(target);
      }
    }
    return out;
  }

  private learn(target: string, previous: string | undefined, type: string): void {
    if (previous === undefined) {
      // Only targets that get series of their own are remembered: memory stays bounded.
      const admitted =
        this.mode === 'target'
          ? this.guard.admit(target) === target
          : this.types.size < MAX_TYPED_TARGETS;
      if (!admitted) return;
    }
    this.types.set(target, type);
    for (const listener of this.listeners) listener.onTarget(target, type);
  }
}

/**
 * Per-target records of slot indices. A record is created once per label value (a target, the
 * overflow value, or a type) and cached by target name while that stays valid, so the hot path is
 * one `Map.get(target)`.
 */
export class TargetRecords<R> {
  private readonly byTarget = new Map<string, R>();
  private readonly byLabel = new Map<string, R>();

  constructor(
    private readonly labels: TargetLabels,
    private readonly create: (label: string) => R,
  ) {}

  /** The record of `target`; undefined for a non-string, empty or over-long target. */
  get(target: string): R | undefined {
    const record = this.byTarget.get(target);
    return record !== undefined ? record : this.resolve(target);
  }

  /** The target's label changed (its type was learned): resolve it again on next use. */
  invalidate(target: string): void {
    this.byTarget.delete(target);
  }

  /** The target left: drop its record (in `type` mode the type's record stays). */
  forget(target: string): void {
    this.byTarget.delete(target);
    if (this.labels.mode === 'target') this.byLabel.delete(target);
  }

  private resolve(target: string): R | undefined {
    if (!usableLabelValue(target)) return undefined;
    const label = this.labels.resolve(target);
    let record = this.byLabel.get(label);
    if (record === undefined) {
      record = this.create(label);
      this.byLabel.set(label, record);
    }
    if (this.labels.isStable(target, label)) this.byTarget.set(target, record);
    return record;
  }
}

/** A lookup table from a closed set of strings to indices, immune to `toString` and friends. */
export function enumIndex<K extends string>(keys: readonly K[]): Readonly<Record<K, number>> {
  const table = Object.create(null) as Record<K, number>;
  keys.forEach((key, i) => {
    table[key] = i;
  });
  return Object.freeze(table);
}
