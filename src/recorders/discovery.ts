import type { NumberStore } from '../series/number-store.js';
import { OpenLabel } from '../series/open-label.js';
import { MAX_DURATION_SECONDS } from './limits.js';
import { Recorder, type RecorderContext } from './recorder.js';
import { labelProblem } from './rejections.js';

/**
 * Records discovery's own work: how long its operations take, its errors, the secrets it reads
 * and target lookups. Every label is open (the host names its operations and statuses): each
 * label keeps its first 64 distinct values, later ones count as `other`, and a value's slot is
 * created on its first use, so later calls allocate nothing.
 */
export class DiscoveryRecorder extends Recorder {
  private readonly duration = this.histogram('discovery_duration_seconds');
  private readonly errors = this.counter('discovery_errors_total');
  private readonly secrets = this.counter('discovery_secrets_total');
  private readonly lookups = this.counter('target_lookups_total');
  private readonly operations = new OpenLabel((operation) => this.duration.slot([operation]));
  private readonly errorTypes = new OpenLabel((errorType) => this.errors.slot([errorType]));
  private readonly secretStatuses = new OpenLabel((status) => this.secrets.slot([status]));
  private readonly lookupOperations = new OpenLabel(
    (operation) => new OpenLabel((status) => this.lookups.slot([operation, status])),
  );

  constructor(context: RecorderContext) {
    super(context, 'discovery');
  }

  /** One discovery operation (load, resolve, parse, ...) took `durationSeconds`. */
  recordDiscovery(operation: string, durationSeconds: number): void {
    const slot = this.operations.get(operation);
    if (slot === undefined) {
      this.reject(labelProblem(operation, 'empty_label', 'empty_label'));
      return;
    }
    if (this.valid(durationSeconds, MAX_DURATION_SECONDS))
      this.duration.observe(slot, durationSeconds);
  }

  recordError(errorType: string): void {
    this.countValue(this.errors, this.errorTypes, errorType);
  }

  /** A target secret was read with `status` (found, missing, invalid, ...). */
  recordSecret(status: string): void {
    this.countValue(this.secrets, this.secretStatuses, status);
  }

  /** Counts one event of `store`'s series whose open label is `value`. */
  private countValue(store: NumberStore, label: OpenLabel<number>, value: string): void {
    const slot = label.get(value);
    if (slot === undefined) {
      this.reject(labelProblem(value, 'empty_label', 'empty_label'));
      return;
    }
    store.values[slot]! += 1;
  }

  /** A target lookup (get, list, ...) ended with `status` (found, not_found, ...). */
  recordLookup(operation: string, status: string): void {
    const slot = this.lookupOperations.get(operation)?.get(status);
    if (slot === undefined) {
      const bad = this.lookupOperations.get(operation) === undefined ? operation : status;
      this.reject(labelProblem(bad, 'empty_label', 'empty_label'));
      return;
    }
    this.lookups.values[slot]! += 1;
  }
}
