import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderMetricsDoc } from '../../scripts/metrics-doc.js';
import { CATALOG, prometheusName } from '../../src/index.js';

describe('docs/metrics.md', () => {
  it('is what the catalog generates (run `npm run docs:metrics` after changing the catalog)', () => {
    const onDisk = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderMetricsDoc());
  });

  it('lists every catalog metric by its Prometheus name', () => {
    const doc = renderMetricsDoc();
    for (const def of CATALOG) expect(doc).toContain(`\`${prometheusName(def)}\``);
  });

  it('has unique names, valid label names, and buckets exactly on histograms', () => {
    expect(new Set(CATALOG.map((d) => d.name)).size).toBe(CATALOG.length);
    for (const def of CATALOG) {
      expect(def.name).toMatch(/^[a-z][a-z0-9_]*$/);
      for (const label of def.labels) expect(label).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(def.buckets !== undefined).toBe(def.kind === 'histogram');
      if (def.kind === 'counter') expect(def.name).toMatch(/_total$/);
      else expect(def.name).not.toMatch(/_total$/);
      if (def.unit === 's') expect(def.name).toMatch(/_seconds$/);
      if (def.unit === 'By') expect(def.name).toMatch(/_bytes$/);
      // Unit "1" would make Prometheus-naming backends append "_ratio".
      expect(def.unit).not.toBe('1');
    }
  });
});
