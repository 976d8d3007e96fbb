import type { Attributes } from '@opentelemetry/api';
import { labelsFor, type MetricDefinition, type TargetLabelMode } from '../catalog.js';
import { OpenLabel } from './open-label.js';
import type { TargetGuard } from './target-guard.js';

/** The type of a target no health check, discovery or publisher call has named yet. */
export const UNKNOWN_TYPE = 'unknown';

/**
 * Targets whose type `type` mode remembers (a map entry of ~100 B each, so at most ~10 MB
 * whatever a broken discovery source reports); beyond that, a new target counts as `unknown`.
 */
export const MAX_TYPED_TARGETS = 100_000;

/** Told when a target is first seen or its type changes, so recorders can zero-initialise it. */
export interface TargetListener {
  onTarget(target: string, type: string): void;
}

/**
 * The one place where the label of a per-target series is decided. In `target` mode the label
 * value is the target name (or `__overflow__` past the guard's cap); in `type` mode it is the
 * target's type, learned from health checks and discovery (authoritative) or publisher calls
 * (only while no port has named it). Which labels a metric carries in each mode, and how the
 * gauges of several targets folded into one series combine, is the catalog's (`labelsFor`,
 * `typeModeLabels` and `fold` of each `MetricDefinition`). Types are an open label (64 values).
 * One instance per collector, handed to its recorders and port collectors in their context.
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
    const labels = labelsFor(def, this.mode);
    return labels === def.labels ? def : { ...def, labels };
  }

  /** `type` mode: the attributes of a port observation of `target`. */
  typeAttributes(def: MetricDefinition, attributes: Attributes, target: string): Attributes {
    const out: Attributes = {};
    for (const label of labelsFor(def, 'type')) {
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
