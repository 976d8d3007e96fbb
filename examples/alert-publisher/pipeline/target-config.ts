/**
 * Target entries of targets.json and their validation. An entry names a target, its kind, where it
 * lives (an http(s) URL or `builtin:<kind>[/<instance>]` for an embedded fake server), whether it is
 * enabled, its credentials and which severities it receives. Credentials may be written inline or
 * as `env:NAME`, read from the environment at discovery time.
 */
import { isRecord } from '../json.js';
import { isTargetKind, type TargetKind } from '../target-kinds.js';
import type { Severity } from './alert.js';

export type TargetAuth =
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  /** PagerDuty integration key (32 characters), sent in the event body. */
  | { type: 'routing_key'; routingKey: string };

export interface TargetSpec {
  name: string;
  type: TargetKind;
  /** `url` as written: http(s) URL or builtin reference. */
  ref: string;
  enabled: boolean;
  auth?: TargetAuth;
  /** Severities routed to this target; all when absent. */
  severities?: readonly Severity[];
  /** Slack channel to post in. */
  channel?: string;
}

/** A discovered target, ready for a publisher. */
export interface TargetConfig extends TargetSpec {
  /** Resolved http(s) URL: the API base for Slack/Rootly/PagerDuty, the hook itself for webhooks. */
  url: string;
}

export type SecretStatus = 'inline' | 'resolved' | 'missing';

export type SpecResult =
  | { ok: true; spec: TargetSpec }
  | { ok: false; name?: string; reason: string };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/**
 * Validates one raw entry. `onSecret` hears about every credential field (inline, resolved from
 * the environment, or missing).
 */
export function parseTargetSpec(
  raw: unknown,
  env: NodeJS.ProcessEnv,
  onSecret: (status: SecretStatus) => void,
): SpecResult {
  if (!isRecord(raw)) return { ok: false, reason: 'entry is not an object' };
  const name = raw.name;
  if (typeof name !== 'string' || !NAME.test(name))
    return { ok: false, reason: 'name must match [A-Za-z0-9._-], 1–128 characters' };
  const fail = (reason: string): SpecResult => ({ ok: false, name, reason: `${name}: ${reason}` });

  const type = raw.type;
  if (!isTargetKind(type)) return fail(`unknown type ${JSON.stringify(type)}`);
  const ref = raw.url;
  if (typeof ref !== 'string' || !isTargetUrl(ref))
    return fail('url must be http(s)://… or builtin:<kind>[/<instance>]');
  const builtin = parseBuiltinReference(ref);
  if (typeof builtin === 'object' && builtin.kind !== type)
    return fail(`builtin:${builtin.kind} cannot serve a ${type} target`);
  if (raw.enabled !== undefined && typeof raw.enabled !== 'boolean')
    return fail('enabled must be a boolean');

  const severities = raw.severities;
  if (
    severities !== undefined &&
    (!Array.isArray(severities) || !severities.every((s) => SEVERITIES.includes(s as Severity)))
  ) {
    return fail(`severities must be a list of ${SEVERITIES.join('/')}`);
  }
  if (raw.channel !== undefined && typeof raw.channel !== 'string')
    return fail('channel must be a string');

  let auth: TargetAuth | undefined;
  if (raw.auth !== undefined) {
    const parsed = parseAuth(raw.auth, env, onSecret);
    if (typeof parsed === 'string') return fail(parsed);
    auth = parsed;
  }
  if (type === 'pagerduty' && auth?.type !== 'routing_key')
    return fail('pagerduty needs auth {type: "routing_key", routingKey}');

  return {
    ok: true,
    spec: {
      name,
      type,
      ref,
      enabled: raw.enabled ?? true,
      ...(auth ? { auth } : {}),
      ...(severities ? { severities: severities as Severity[] } : {}),
      ...(typeof raw.channel === 'string' ? { channel: raw.channel } : {}),
    },
  };
}

function isTargetUrl(value: string): boolean {
  const builtin = parseBuiltinReference(value);
  if (builtin !== undefined) return builtin !== 'invalid';
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Parsed credentials, or the reason they are unusable. */
function parseAuth(
  raw: unknown,
  env: NodeJS.ProcessEnv,
  onSecret: (status: SecretStatus) => void,
): TargetAuth | string {
  if (!isRecord(raw)) return 'auth must be an object';
  const secret = (field: string): string | undefined => {
    const value = raw[field];
    if (typeof value !== 'string' || value === '') return undefined;
    if (!value.startsWith('env:')) {
      onSecret('inline');
      return value;
    }
    const resolved = env[value.slice(4)];
    onSecret(resolved ? 'resolved' : 'missing');
    return resolved || undefined;
  };
  switch (raw.type) {
    case 'bearer': {
      const token = secret('token');
      return token === undefined ? 'auth.token is missing' : { type: 'bearer', token };
    }
    case 'basic': {
      const username = typeof raw.username === 'string' ? raw.username : undefined;
      const password = secret('password');
      return username === undefined || password === undefined
        ? 'auth needs username and password'
        : { type: 'basic', username, password };
    }
    case 'routing_key': {
      const routingKey = secret('routingKey');
      if (routingKey === undefined) return 'auth.routingKey is missing';
      return routingKey.length === 32
        ? { type: 'routing_key', routingKey }
        : 'auth.routingKey must be 32 characters';
    }
    default:
      return `unknown auth type ${JSON.stringify(raw.type)}`;
  }
}

export interface BuiltinReference {
  kind: TargetKind;
  /** Server instance; references with the same kind and instance share one embedded server. */
  instance: string;
}

const BUILTIN = /^builtin:([a-z]+)(?:\/([A-Za-z0-9._-]+))?$/;

/** Parses `builtin:slack` / `builtin:webhook/audit`; undefined when the URL is not a builtin reference. */
export function parseBuiltinReference(url: string): BuiltinReference | undefined | 'invalid' {
  if (!url.startsWith('builtin:')) return undefined;
  const match = BUILTIN.exec(url);
  const kind = match?.[1];
  if (!isTargetKind(kind)) return 'invalid';
  return { kind, instance: match?.[2] ?? 'default' };
}

/** Whether an alert of `severity` is routed to the target. */
export function receives(target: Pick<TargetSpec, 'severities'>, severity: Severity): boolean {
  return target.severities === undefined || target.severities.includes(severity);
}
