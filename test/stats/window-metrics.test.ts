import { describe, expect, it } from 'vitest';
import { metricDefinition } from '../../src/catalog.js';
import { WINDOW_COUNTERS, WINDOW_HISTOGRAMS } from '../../src/stats/deltas.js';

// The statistics' windows subtract these metrics between snapshots: each must be a catalog row
// of the kind the subtraction assumes (a renamed or retyped row would silently zero a figure).
describe('metrics the statistics window over', () => {
  it('are catalog rows of the kind the subtraction assumes', () => {
    for (const name of WINDOW_COUNTERS) {
      const def = metricDefinition(name);
      expect(def.kind, name).toBe('counter');
    }
    for (const name of WINDOW_HISTOGRAMS) {
      const def = metricDefinition(name);
      expect(def.kind, name).toBe('histogram');
    }
    expect(metricDefinition('dlq_size').kind).toBe('gauge');
  });
});
