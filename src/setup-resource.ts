import type { Attributes } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
  type Resource,
  type ResourceDetector,
} from '@opentelemetry/resources';
import type { Env } from './setup-env.js';

/**
 * NodeSDK's detectors by their `OTEL_NODE_RESOURCE_DETECTORS` names. `all` (the default) is
 * env, host, os and process here: `serviceinstance` invents a random `service.instance.id`,
 * which would never match the one of the service's own NodeSDK, so it is on only when named.
 */
const DETECTORS: Readonly<Record<string, ResourceDetector>> = {
  env: envDetector,
  host: hostDetector,
  os: osDetector,
  process: processDetector,
  serviceinstance: serviceInstanceIdDetector,
};
const ALL = ['env', 'host', 'os', 'process'];

function detectorsFromEnv(env: Env): ResourceDetector[] {
  const raw = env['OTEL_NODE_RESOURCE_DETECTORS'];
  const names =
    raw === undefined || raw.trim() === ''
      ? ['all']
      : raw
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '');
  if (names.includes('none')) return [];
  const expanded = names.includes('all') ? [...ALL, ...names.filter((n) => n !== 'all')] : names;
  const out: ResourceDetector[] = [];
  for (const name of new Set(expanded)) {
    const detector = DETECTORS[name];
    if (detector === undefined) {
      diag.warn(`otel-publishing-metrics: unknown OTEL_NODE_RESOURCE_DETECTORS value "${name}"`);
      continue;
    }
    // env always merges last, so OTEL_RESOURCE_ATTRIBUTES wins over detected values.
    if (name !== 'env') out.push(detector);
  }
  if (new Set(expanded).has('env')) out.push(envDetector);
  return out;
}

export interface ResourceOptions {
  serviceName?: string;
  resourceAttributes?: Attributes;
  resource?: Resource;
}

/**
 * The resource of an own MeterProvider, built as NodeSDK builds it so the library's metrics
 * carry the service's identity. Precedence, lowest first: the SDK default (or `resource`), the
 * detectors of `OTEL_NODE_RESOURCE_DETECTORS` (env last), `resourceAttributes`, `serviceName`.
 */
export function buildResource(options: ResourceOptions, env: Env = process.env): Resource {
  let resource = (options.resource ?? defaultResource()).merge(
    detectResources({ detectors: detectorsFromEnv(env) }),
  );
  if (options.resourceAttributes !== undefined) {
    resource = resource.merge(resourceFromAttributes(options.resourceAttributes));
  }
  if (options.serviceName !== undefined) {
    resource = resource.merge(resourceFromAttributes({ 'service.name': options.serviceName }));
  }
  return resource;
}
