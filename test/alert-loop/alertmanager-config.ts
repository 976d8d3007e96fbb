/**
 * `collector-config/alertmanager.yml` as the tests run it: the committed file with the receiver
 * pointed at the demo's intake on its free port and the timings shortened (documented test-only
 * overrides; routing, grouping and the receiver itself are the committed ones).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../support/backends.js';

export const ALERTMANAGER_CONFIG = join(REPO_ROOT, 'collector-config', 'alertmanager.yml');

interface AlertmanagerConfig {
  route: Record<string, unknown>;
  receivers: Array<{ name: string; webhook_configs?: Array<{ url: string }> }>;
}

export interface TestTimings {
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
}

export function alertmanagerConfigFor(intakeUrl: string, timings: TestTimings): string {
  const config = parse(readFileSync(ALERTMANAGER_CONFIG, 'utf8')) as AlertmanagerConfig;
  const hooks = config.receivers.flatMap((receiver) => receiver.webhook_configs ?? []);
  if (hooks.length !== 1) throw new Error(`expected one webhook receiver, found ${hooks.length}`);
  const [hook] = hooks as [{ url: string }];
  if (!hook.url.endsWith('/webhook/alertmanager'))
    throw new Error(`the committed receiver does not point at the intake: ${hook.url}`);
  hook.url = intakeUrl;
  config.route.group_wait = timings.groupWait;
  config.route.group_interval = timings.groupInterval;
  config.route.repeat_interval = timings.repeatInterval;
  return stringify(config);
}

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string; inhibitedBy: string[]; silencedBy: string[] };
  fingerprint: string;
}

/** `GET /api/v2/alerts`: the alerts Alertmanager holds (active and, briefly, resolved). */
export async function alertmanagerAlerts(url: string): Promise<AlertmanagerAlert[]> {
  const response = await fetch(`${url}/api/v2/alerts`);
  if (!response.ok) throw new Error(`GET /api/v2/alerts: ${response.status}`);
  return (await response.json()) as AlertmanagerAlert[];
}

/** A sample of Alertmanager's own /metrics (summed over label sets that include `labels`). */
export async function alertmanagerMetric(
  url: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const body = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of body.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
