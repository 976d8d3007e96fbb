/**
 * The series-key format of `MetricsSnapshot.metrics`: `name{a="x",b="y"}` with labels sorted by
 * name and values escaped as in the Prometheus text format, so a key can be pasted into PromQL.
 */

import { escapeLabelValue } from '../label-escaping.js';

export type Labels = Readonly<Record<string, string>>;

/** Formats a histogram bound for the `le` label: `+Inf` or the shortest decimal form. */
export function formatBound(bound: number): string {
  return bound === Infinity ? '+Inf' : String(bound);
}

export function seriesKey(name: string, labels?: Labels): string {
  if (labels === undefined) return name;
  const names = Object.keys(labels);
  if (names.length === 0) return name;
  names.sort();
  let out = `${name}{`;
  for (let i = 0; i < names.length; i++) {
    const label = names[i] as string;
    out += `${i === 0 ? '' : ','}${label}="${escapeLabelValue(String(labels[label]))}"`;
  }
  return `${out}}`;
}
