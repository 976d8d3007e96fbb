import type { TargetHealth } from '../sources.js';
import type { TargetStats } from '../stats/target-stats.js';
import { badRequest } from './errors.js';
import { allowOnly } from './request-url.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

const STATUSES: readonly TargetHealth[] = ['healthy', 'degraded', 'unhealthy', 'unknown'];
const SORT_KEYS = ['name', 'score', 'success_rate'] as const;
type SortKey = (typeof SORT_KEYS)[number];

export interface StatsQuery {
  type?: string;
  status?: TargetHealth;
  limit: number;
  offset: number;
  sort: SortKey;
  descending: boolean;
}

function integer(
  query: ReadonlyMap<string, string>,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const raw = query.get(name);
  if (raw === undefined) return fallback;
  const value = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw badRequest(`'${name}' must be an integer from ${min} to ${max}`, 'invalid_parameter');
  }
  return value;
}

export function parseStatsQuery(query: ReadonlyMap<string, string>): StatsQuery {
  allowOnly(query, ['type', 'status', 'limit', 'offset', 'sort']);
  const out: StatsQuery = {
    limit: integer(query, 'limit', 1, MAX_LIMIT, DEFAULT_LIMIT),
    offset: integer(query, 'offset', 0, 1_000_000_000, 0),
    sort: 'name',
    descending: false,
  };
  const type = query.get('type');
  if (type !== undefined) {
    if (type === '' || type.length > 256) {
      throw badRequest("'type' must be 1 to 256 characters", 'invalid_parameter');
    }
    out.type = type;
  }
  const status = query.get('status');
  if (status !== undefined) {
    if (!STATUSES.includes(status as TargetHealth)) {
      throw badRequest(`'status' must be one of ${STATUSES.join(', ')}`, 'invalid_parameter');
    }
    out.status = status as TargetHealth;
  }
  const sort = query.get('sort');
  if (sort !== undefined) {
    const descending = sort.startsWith('-');
    const key = descending ? sort.slice(1) : sort;
    if (!SORT_KEYS.includes(key as SortKey)) {
      throw badRequest(
        `'sort' must be one of ${SORT_KEYS.join(', ')}, optionally prefixed with '-' for descending`,
        'invalid_parameter',
      );
    }
    out.sort = key as SortKey;
    out.descending = descending;
  }
  return out;
}

function byName(a: TargetStats, b: TargetStats): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function sortValue(t: TargetStats, key: SortKey): number | null {
  return key === 'score' ? t.healthScore.score : t.successRate;
}

/** Filters, sorts and pages targets; `total` counts the filtered targets before paging. */
export function selectTargets(
  targets: readonly TargetStats[],
  q: StatsQuery,
): { total: number; page: TargetStats[] } {
  const filtered = targets.filter(
    (t) =>
      (q.type === undefined || t.type === q.type) &&
      (q.status === undefined || t.health.status === q.status),
  );
  const sign = q.descending ? -1 : 1;
  filtered.sort((a, b) => {
    if (q.sort === 'name') return sign * byName(a, b);
    const va = sortValue(a, q.sort);
    const vb = sortValue(b, q.sort);
    // Targets without a value (no jobs in the window) go last in either direction.
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
      return byName(a, b);
    }
    return va !== vb ? sign * (va - vb) : byName(a, b);
  });
  return { total: filtered.length, page: filtered.slice(q.offset, q.offset + q.limit) };
}
