/** Arguments of the `otel-publishing-metrics` command line (see src/cli.ts). */
import { parseArgs } from 'node:util';
import { DEFAULT_QUERY_TIMEOUT_MS } from '../fleet/query-client.js';

export const USAGE = `Usage: otel-publishing-metrics stats --prometheus URL [options]

Serves /api/v2/publishing/{stats,stats/<target>,health,trends} and the status page for every
replica the backend holds, computed by the backend (Prometheus, VictoriaMetrics, Thanos, Mimir).

  --prometheus <url>      base URL of the query API, e.g. http://127.0.0.1:9090 (required)
  --port <p>              port to listen on (default 8080; 0 picks a free one)
  --host <h>              interface to bind (default 127.0.0.1)
  --matchers <m>          label matchers selecting the service, e.g. 'job="alert-publisher"'
  --instance-label <l>    label telling replicas apart (default instance)
  --namespace <ns>        metric prefix (default alert_history_publishing)
  --window <s>            stats window, seconds (default 300)
  --evaluation-delay <ms> evaluate this far behind the clock, so every replica's last scrape is in
                          (default 10000)
  --timeout <ms>          deadline of one backend query (default ${DEFAULT_QUERY_TIMEOUT_MS}); past it: 503
  --token <t>             require Authorization: Bearer <t> (or env OTEL_PUBLISHING_STATS_TOKEN)
  --help`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliConfig {
  prometheus: string;
  port: number;
  host: string;
  matchers: string | undefined;
  instanceLabel: string | undefined;
  namespace: string | undefined;
  windowSeconds: number;
  timeoutMs: number;
  evaluationDelayMs: number | undefined;
  token: string | undefined;
}

function positive(flag: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= 0 && value <= max)) {
    throw new UsageError(
      `--${flag} must be an integer from 0 to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliConfig | 'help' {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') return 'help';
  if (command !== 'stats') {
    throw new UsageError(
      command === undefined ? 'a command is required' : `unknown command '${command}'`,
    );
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      options: {
        prometheus: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        matchers: { type: 'string' },
        'instance-label': { type: 'string' },
        namespace: { type: 'string' },
        window: { type: 'string' },
        timeout: { type: 'string' },
        'evaluation-delay': { type: 'string' },
        token: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (values.prometheus === undefined) throw new UsageError('--prometheus URL is required');
  const windowSeconds = positive('window', values.window, 300, 86_400);
  if (windowSeconds < 1) throw new UsageError('--window must be at least 1 second');
  const timeoutMs = positive('timeout', values.timeout, DEFAULT_QUERY_TIMEOUT_MS, 600_000);
  if (timeoutMs < 1) throw new UsageError('--timeout must be at least 1 ms');
  return {
    prometheus: values.prometheus,
    port: positive('port', values.port, 8080, 65_535),
    host: values.host ?? '127.0.0.1',
    matchers: values.matchers,
    instanceLabel: values['instance-label'],
    namespace: values.namespace,
    windowSeconds,
    timeoutMs,
    evaluationDelayMs:
      values['evaluation-delay'] === undefined
        ? undefined
        : positive('evaluation-delay', values['evaluation-delay'], 0, 3_600_000),
    token: values.token ?? env['OTEL_PUBLISHING_STATS_TOKEN'],
  };
}
