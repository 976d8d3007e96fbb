/**
 * Alerts as Alertmanager delivers them to a webhook receiver (payload version 4), one alert per
 * message: the shape every generic webhook target receives and the other publishers translate.
 */

export type Severity = 'critical' | 'warning' | 'info';
export type AlertStatus = 'firing' | 'resolved';

export interface AlertLabels {
  alertname: string;
  severity: Severity;
  instance: string;
  [label: string]: string;
}

export interface Alert {
  status: AlertStatus;
  labels: AlertLabels;
  annotations: { summary: string; description: string };
  /** RFC 3339. */
  startsAt: string;
  /** RFC 3339; Alertmanager's zero time while firing. */
  endsAt: string;
  generatorURL: string;
  /** Alertmanager fingerprint of the label set: 16 hex digits, stable across firing/resolved. */
  fingerprint: string;
}

export interface AlertmanagerWebhookMessage {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: AlertStatus;
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: Alert[];
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';
export const EXTERNAL_URL = 'http://alertmanager.demo.local:9093';

export function toWebhookMessage(alert: Alert, receiver: string): AlertmanagerWebhookMessage {
  return {
    version: '4',
    groupKey: `{}:{alertname="${alert.labels.alertname}"}`,
    truncatedAlerts: 0,
    status: alert.status,
    receiver,
    groupLabels: { alertname: alert.labels.alertname },
    commonLabels: { ...alert.labels },
    commonAnnotations: { ...alert.annotations },
    externalURL: EXTERNAL_URL,
    alerts: [alert],
  };
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

/**
 * Alertmanager's label-set fingerprint: FNV-1a 64 over names and values sorted by name, each
 * followed by the 0xff separator byte, so the demo's fingerprints look like the real ones.
 */
export function fingerprintOf(labels: Readonly<Record<string, string>>): string {
  let hash = FNV_OFFSET;
  const mix = (bytes: Uint8Array): void => {
    for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  };
  const separator = Uint8Array.of(0xff);
  for (const name of Object.keys(labels).sort()) {
    mix(Buffer.from(name, 'utf8'));
    mix(separator);
    mix(Buffer.from(labels[name] ?? '', 'utf8'));
    mix(separator);
  }
  return hash.toString(16).padStart(16, '0');
}
