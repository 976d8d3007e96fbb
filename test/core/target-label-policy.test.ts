import { describe, expect, it } from 'vitest';
import { labelsFor, metricDefinition } from '../../src/catalog.js';

/** Labels per metric in `type` target-label mode, and the fold rule of each per-target gauge. */
const TYPE_MODE_LABELS: Record<string, readonly string[]> = {
  target_health_status: ['type'],
  target_consecutive_failures: ['type'],
  target_success_rate: ['type'],
  target_check_latency_seconds: ['type'],
  target_last_check_timestamp_seconds: ['type'],
  circuit_breaker_state: ['type'],
  dlq_size: ['type'],
  jobs_processed_total: ['type', 'state'],
  job_duration_seconds: ['type', 'priority'],
  retry_attempts_total: ['type', 'error_type'],
  dlq_writes_total: ['type', 'error_type'],
  dlq_replays_total: ['type', 'result'],
  circuit_breaker_trips_total: ['type'],
  circuit_breaker_recoveries_total: ['type'],
  publisher_requests_total: ['publisher', 'status'],
  publisher_errors_total: ['publisher', 'reason'],
  publisher_request_duration_seconds: ['publisher'],
  publisher_rate_limit_hits_total: ['publisher'],
  webhook_payload_size_bytes: ['type'],
  webhook_auth_failures_total: ['type', 'auth_type'],
};

const FOLD: Record<string, 'sum' | 'min' | 'max'> = {
  target_health_status: 'max',
  target_consecutive_failures: 'max',
  target_success_rate: 'min',
  target_check_latency_seconds: 'max',
  target_last_check_timestamp_seconds: 'max',
  circuit_breaker_state: 'max',
  dlq_size: 'sum',
};

describe('catalog target-label policy', () => {
  it('gives each per-target metric its labels in type mode', () => {
    for (const [name, labels] of Object.entries(TYPE_MODE_LABELS)) {
      const def = metricDefinition(name);
      expect(labelsFor(def, 'type'), name).toEqual(labels);
      expect(def.typeModeLabels, name).toEqual(labels);
    }
  });

  it('keeps the catalog labels in target mode', () => {
    for (const name of Object.keys(TYPE_MODE_LABELS)) {
      const def = metricDefinition(name);
      expect(labelsFor(def, 'target'), name).toBe(def.labels);
      expect(def.labels, name).toContain('target');
    }
  });

  it('gives every per-target port gauge its fold rule', () => {
    for (const [name, fold] of Object.entries(FOLD)) {
      expect(metricDefinition(name).fold, name).toBe(fold);
    }
  });

  it('leaves metrics without a target label unchanged in type mode', () => {
    const def = metricDefinition('queue_submissions_total');
    expect(labelsFor(def, 'type')).toBe(def.labels);
    expect(def.fold).toBeUndefined();
  });
});
