/**
 * Metric and recording-rule names as the operate files mention them, checked against the catalog
 * and the recording rules, so a dashboard, rule or guide cannot name a series that does not exist.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CATALOG, DEFAULT_NAMESPACE, instrumentName, prometheusName } from '../../src/index.js';
import { REPO_ROOT } from '../support/backends.js';

export const RULES_DIR = join(REPO_ROOT, 'collector-config', 'prometheus', 'rules');
export const RECORDING_RULES_FILE = join(RULES_DIR, 'publishing-recording.yml');
export const ALERT_RULES_FILE = join(RULES_DIR, 'publishing-alerts.yml');

/** Every series name Prometheus can hold for the catalog: histograms add their three series. */
export function prometheusSeriesNames(): Set<string> {
  const names = new Set<string>();
  for (const def of CATALOG) {
    const name = prometheusName(def);
    if (def.kind === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    } else names.add(name);
  }
  return names;
}

/** OpenTelemetry instrument names (what an OTel Collector processor sees: counters lack `_total`). */
export function instrumentNames(): Set<string> {
  return new Set(CATALOG.map((def) => instrumentName(def)));
}

const METRIC_TOKEN = new RegExp(`\\b${DEFAULT_NAMESPACE}_[a-z0-9_]+`, 'g');
const RULE_TOKEN = /\bpublishing:[a-z0-9_:]+/g;

/** `alert_history_publishing_*` names mentioned in a text. */
export function metricTokens(text: string): string[] {
  return [...new Set(text.match(METRIC_TOKEN) ?? [])];
}

/** `publishing:*` recording-rule names mentioned in a text. */
export function ruleTokens(text: string): string[] {
  return [...new Set(text.match(RULE_TOKEN) ?? [])];
}

interface RuleFile {
  groups: Array<{ name: string; rules: Array<{ record?: string; alert?: string; expr: string }> }>;
}

export function readRules(file: string): RuleFile {
  return parse(readFileSync(file, 'utf8')) as RuleFile;
}

let recorded: Set<string> | undefined;

/** Names recorded by publishing-recording.yml. */
export function recordingRuleNames(): Set<string> {
  if (recorded !== undefined) return recorded;
  const names = new Set<string>();
  for (const group of readRules(RECORDING_RULES_FILE).groups) {
    for (const rule of group.rules) if (rule.record !== undefined) names.add(rule.record);
  }
  recorded = names;
  return names;
}

/** Names in `text` that are neither catalog series nor recorded rules. */
export function unknownNames(text: string, known = prometheusSeriesNames()): string[] {
  const rules = recordingRuleNames();
  return [
    ...metricTokens(text).filter((t) => !known.has(t)),
    ...ruleTokens(text).filter((t) => !rules.has(t)),
  ];
}
