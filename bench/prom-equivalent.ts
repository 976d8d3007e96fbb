/**
 * A prom-client registry holding the same series as a snapshot of ours: the same metric names,
 * types, help texts, label names and values, series counts and histogram buckets, so the two
 * expositions can be compared like for like.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HistogramValue, MetricsSnapshot, Series } from '../src/index.js';

function labelNames(series: ReadonlyArray<Series<unknown>>): string[] {
  const names = new Set<string>();
  for (const s of series) for (const name of Object.keys(s.labels)) names.add(name);
  return [...names];
}

export function promClientRegistry(snapshot: MetricsSnapshot): Registry {
  const registry = new Registry();
  const registers = [registry];
  for (const family of snapshot.families.values()) {
    const common = { name: family.name, help: family.help, labelNames: labelNames(family.series) };
    if (family.type === 'histogram') {
      const series = family.series as ReadonlyArray<Series<HistogramValue>>;
      const buckets = [...(series[0]?.value.boundaries ?? [])];
      const histogram = new Histogram({ ...common, buckets, registers });
      for (const s of series) {
        // One observation per non-empty bucket at its bound: same lines, similar figures.
        if (s.value.count === 0) histogram.zero(s.labels);
        s.value.counts.forEach((count, i) => {
          if (count > 0) histogram.observe(s.labels, buckets[i] ?? s.value.sum);
        });
      }
    } else if (family.type === 'counter') {
      const counter = new Counter({ ...common, registers });
      for (const s of family.series as ReadonlyArray<Series<number>>)
        counter.inc(s.labels, s.value);
    } else {
      const gauge = new Gauge({ ...common, registers });
      for (const s of family.series as ReadonlyArray<Series<number>>) gauge.set(s.labels, s.value);
    }
  }
  return registry;
}
