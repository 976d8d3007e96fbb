/**
 * Reads an Alertmanager webhook notification (payload version 4) into the demo's alerts. Untrusted
 * input: every field the pipeline relies on is checked, and the first problem is reported by its
 * JSON path so the sender can see what to fix.
 *
 * Labels and annotations are kept as sent, with two fills the targets need: an alert without a
 * known `severity` (critical, warning, info) is handled as `warning` (medium priority, the targets
 * that take warnings), and one without `instance` is shown as from its `job`, else from the
 * notification's receiver — PagerDuty rejects an event without a source.
 */
import { isRecord } from '../json.js';
import type { Alert, AlertStatus, Severity } from '../pipeline/alert.js';

export interface WebhookNotification {
  receiver: string;
  status: AlertStatus;
  groupKey: string;
  alerts: Alert[];
}

export class InvalidPayloadError extends Error {
  override readonly name = 'InvalidPayloadError';
}

const SEVERITIES: ReadonlySet<string> = new Set<Severity>(['critical', 'warning', 'info']);
const STATUSES: ReadonlySet<string> = new Set<AlertStatus>(['firing', 'resolved']);

export function parseWebhookNotification(body: unknown): WebhookNotification {
  if (!isRecord(body)) throw new InvalidPayloadError('body must be a JSON object');
  if (body.version !== '4')
    throw new InvalidPayloadError(
      `version must be "4" (Alertmanager webhook payload), got ${JSON.stringify(body.version)}`,
    );
  const receiver = requireString(body, 'receiver', '');
  const status = requireStatus(body, '');
  const groupKey = requireString(body, 'groupKey', '');
  if (!Array.isArray(body.alerts)) throw new InvalidPayloadError('alerts must be an array');
  const alerts = body.alerts.map((raw: unknown, i) => parseAlert(raw, `alerts[${i}]`, receiver));
  return { receiver, status, groupKey, alerts };
}

function parseAlert(raw: unknown, path: string, receiver: string): Alert {
  if (!isRecord(raw)) throw new InvalidPayloadError(`${path} must be an object`);
  const labels = stringMap(raw.labels, `${path}.labels`);
  const annotations = stringMap(raw.annotations ?? {}, `${path}.annotations`);
  const alertname = labels.alertname;
  if (alertname === undefined || alertname === '')
    throw new InvalidPayloadError(`${path}.labels.alertname is required`);
  const fingerprint = requireString(raw, 'fingerprint', path);
  if (fingerprint === '') throw new InvalidPayloadError(`${path}.fingerprint must not be empty`);
  const severity = labels.severity;
  return {
    status: requireStatus(raw, path),
    labels: {
      ...labels,
      alertname,
      severity:
        severity !== undefined && SEVERITIES.has(severity) ? (severity as Severity) : 'warning',
      instance: labels.instance || labels.job || receiver || 'alertmanager',
    },
    annotations: {
      ...annotations,
      summary: annotations.summary ?? alertname,
      description: annotations.description ?? '',
    },
    startsAt: requireString(raw, 'startsAt', path),
    endsAt: requireString(raw, 'endsAt', path),
    generatorURL: typeof raw.generatorURL === 'string' ? raw.generatorURL : '',
    fingerprint,
  };
}

function at(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function requireString(record: Record<string, unknown>, key: string, path: string): string {
  const value = record[key];
  if (typeof value !== 'string') throw new InvalidPayloadError(`${at(path, key)} must be a string`);
  return value;
}

function requireStatus(record: Record<string, unknown>, path: string): AlertStatus {
  const value = record.status;
  if (typeof value !== 'string' || !STATUSES.has(value))
    throw new InvalidPayloadError(
      `${at(path, 'status')} must be "firing" or "resolved", got ${JSON.stringify(value)}`,
    );
  return value as AlertStatus;
}

function stringMap(value: unknown, path: string): Record<string, string> {
  if (!isRecord(value)) throw new InvalidPayloadError(`${path} must be an object of strings`);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw new InvalidPayloadError(`${path}.${key} must be a string`);
  }
  return value as Record<string, string>;
}
