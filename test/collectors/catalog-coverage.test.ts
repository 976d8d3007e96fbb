import { describe, expect, it } from 'vitest';
import { CATALOG, prometheusName } from '../../src/index.js';
import { fullyWired } from '../support/fully-wired.js';
import { prometheusReader } from './fakes.js';

/** Every collector over fake ports, one event of each recorder family, and a /metrics reader. */
function wired() {
  const pm = fullyWired();
  return { pm, prometheus: prometheusReader(pm) };
}

describe('metric catalog coverage', () => {
  it('every catalog metric is produced by a collector or recorder, in the snapshot and on /metrics', async () => {
    const { pm, prometheus } = wired();
    const snap = await pm.collectAll();
    const text = await prometheus.text();
    const missing: string[] = [];
    for (const def of CATALOG) {
      const name = prometheusName(def);
      const family = snap.family(name);
      if (family === undefined || family.series.length === 0) missing.push(`snapshot: ${name}`);
      else expect(family.type, name).toBe(def.kind);
      const exposed = def.kind === 'histogram' ? `${name}_count` : name;
      if (!new RegExp(`^${exposed}[{ ]`, 'm').test(text)) missing.push(`/metrics: ${name}`);
    }
    expect(missing).toEqual([]);
    for (const def of CATALOG) {
      for (const s of snap.family(prometheusName(def))!.series) {
        expect(Object.keys(s.labels).sort(), def.name).toEqual([...def.labels].sort());
      }
    }
    expect(Object.values(snap.collectors).every((c) => c.ok)).toBe(true);
    await pm.shutdown();
  });
});
