/** Queue priority per alert: pages first, then firing work, resolved and info last. */
import { describe, expect, it } from 'vitest';
import { classifyPriority } from '../../examples/alert-publisher/pipeline/priority.js';
import type { AlertStatus, Severity } from '../../examples/alert-publisher/pipeline/alert.js';

describe('priority classification', () => {
  const table: [Severity, AlertStatus, 'high' | 'medium' | 'low'][] = [
    ['critical', 'firing', 'high'],
    ['critical', 'resolved', 'low'],
    ['warning', 'firing', 'medium'],
    ['warning', 'resolved', 'low'],
    ['info', 'firing', 'low'],
    ['info', 'resolved', 'low'],
  ];
  it.each(table)('%s %s → %s', (severity, status, expected) => {
    expect(
      classifyPriority({ status, labels: { alertname: 'X', severity, instance: 'node-01:9100' } }),
    ).toBe(expected);
  });
});
