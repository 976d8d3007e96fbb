/**
 * Queue priority of an alert: pages first, then everything still firing, and last the alerts that
 * only report an end (resolved) or carry no action (info).
 */
import type { Priority } from '../ports.js';
import type { Alert } from './alert.js';

export function classifyPriority(alert: Pick<Alert, 'status' | 'labels'>): Priority {
  if (alert.status === 'resolved' || alert.labels.severity === 'info') return 'low';
  if (alert.labels.severity === 'critical') return 'high';
  return 'medium';
}
