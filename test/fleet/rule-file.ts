/** publishing-fleet.yml read as data: its rules, and a rule's expression with dependencies inlined. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { FLEET_RULES_FILE } from './fleet-stack.js';

export interface FleetRule {
  record: string;
  expr: string;
}

export function fleetRules(): FleetRule[] {
  const file = parse(readFileSync(FLEET_RULES_FILE, 'utf8')) as {
    groups: Array<{ rules: FleetRule[] }>;
  };
  return file.groups.flatMap((g) => g.rules);
}

export const FLEET_RULE_TOKEN = /\bpublishing_fleet:[a-z0-9_:]+/g;

/**
 * The expression of `record` with every recorded series it reads replaced by that rule's own
 * expression: what the rule computes, evaluable at any past instant in one query.
 */
export function inlinedRule(record: string, rules = fleetRules()): string {
  const byName = new Map(rules.map((r) => [r.record, r.expr]));
  const expand = (name: string, depth: number): string => {
    const expr = byName.get(name);
    if (expr === undefined) throw new Error(`no rule records ${name}`);
    if (depth > 10) throw new Error(`rule ${name} refers to itself`);
    return expr.replace(FLEET_RULE_TOKEN, (token) => `(${expand(token, depth + 1)})`);
  };
  return expand(record, 0);
}
