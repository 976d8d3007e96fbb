/** Command-line flags of the demo, each with an environment fallback (flags win). */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface DemoConfig {
  /** Seconds to run; undefined: until SIGINT/SIGTERM. */
  durationSeconds: number | undefined;
  ratePerSecond: number;
  /** Extra generated webhook targets, for scale runs. */
  extraTargets: number;
  chaos: boolean;
  /** Multiplies the chaos timeline (2: every fault twice as long). */
  chaosScale: number;
  /** Chaos cycles to run; undefined: until stopped. */
  chaosCycles: number | undefined;
  /** Tuning, mainly for tests that must see slow-moving alerts in seconds. */
  healthIntervalSeconds: number;
  refreshIntervalSeconds: number;
  dlqReplayIntervalSeconds: number;
  collectorTimeoutMs: number;
  /** Print a line per delivered alert whose alertname matches; undefined: none. */
  logDeliveries: RegExp | undefined;
  metricsPort: number;
  statsPort: number;
  /**
   * Alertmanager webhook intake port (127.0.0.1); 0 picks a free one. Undefined: 9097, or a free
   * port if 9097 is taken (so a second demo on the machine still starts).
   */
  intakePort: number | undefined;
  /** `service.instance.id` of this replica; undefined: `<hostname>:<metrics port>`. */
  instance: string | undefined;
  /** Whether the built-in generator posts alerts to the intake. */
  generator: boolean;
  quiet: boolean;
  targetsFile: string;
  viewIntervalSeconds: number;
  workers: number;
  seed: number;
}

export const USAGE = `Usage: tsx examples/alert-publisher/main.ts [options]

  --duration <s>       run for s seconds (default: until Ctrl-C)          env DEMO_DURATION
  --rate <n>           alerts per second (default 5)                       env DEMO_RATE
  --targets <n>        add n generated webhook targets (scale runs)        env DEMO_EXTRA_TARGETS
  --chaos              loop a 120 s failure scenario (chaos.ts)            env DEMO_CHAOS=1
  --chaos-scale <f>    stretch (>1) or shrink (<1) the chaos timeline (default 1)
  --chaos-cycles <n>   run the chaos scenario n times, then stay healthy (default: loop)
  --metrics-port <p>   Prometheus port (default 9464)                      env OTEL_EXPORTER_PROMETHEUS_PORT
  --stats-port <p>     stats API port (default 8080)                       env DEMO_STATS_PORT
  --intake-port <p>    Alertmanager webhook intake port (default 9097, or  env DEMO_INTAKE_PORT
                       a free one if taken; 0: a free port; printed at start)
  --instance <name>    service.instance.id of this replica                 env DEMO_INSTANCE
                       (default <hostname>:<metrics port>, or :pid<pid> on port 0)
  --generator on|off   built-in alert generator (default on); off: intake only
  --targets-file <f>   targets file (default examples/alert-publisher/targets.json)
  --view-interval <s>  live view refresh (default 5)
  --workers <n>        delivery workers (default 16)
  --seed <n>           alert stream seed (default 57)
  --health-interval <s>      target health probe interval (default 5)
  --refresh-interval <s>     target refresh interval (default 30)
  --dlq-replay-interval <s>  DLQ replay interval (default 10)
  --collector-timeout <ms>   per-collector timeout of the telemetry (default 1000)
  --log-deliveries <regex>   print "delivered <status> <alertname> <fingerprint> -> <target>"
                             for each delivered alert whose alertname matches
  --quiet              no live view, only start/stop lines and errors
  --help`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): DemoConfig | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        duration: { type: 'string' },
        rate: { type: 'string' },
        targets: { type: 'string' },
        chaos: { type: 'boolean' },
        'chaos-scale': { type: 'string' },
        'chaos-cycles': { type: 'string' },
        'health-interval': { type: 'string' },
        'refresh-interval': { type: 'string' },
        'dlq-replay-interval': { type: 'string' },
        'collector-timeout': { type: 'string' },
        'log-deliveries': { type: 'string' },
        'metrics-port': { type: 'string' },
        'stats-port': { type: 'string' },
        'intake-port': { type: 'string' },
        instance: { type: 'string' },
        generator: { type: 'string' },
        'targets-file': { type: 'string' },
        'view-interval': { type: 'string' },
        workers: { type: 'string' },
        seed: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';

  const number = (
    flag: string,
    raw: string | undefined,
    fallback: number,
    { integer = false, min = 0 } = {},
  ): number => {
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
      throw new UsageError(
        `--${flag} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(raw)}`,
      );
    }
    return value;
  };
  const port = (flag: string, raw: string | undefined, fallback: number): number => {
    const value = number(flag, raw, fallback, { integer: true });
    if (value > 65_535) throw new UsageError(`--${flag} must be a port, got ${value}`);
    return value;
  };

  const generator = values.generator ?? 'on';
  if (generator !== 'on' && generator !== 'off')
    throw new UsageError(`--generator must be on or off, got ${JSON.stringify(generator)}`);
  const instance = values.instance ?? env.DEMO_INSTANCE;
  if (instance !== undefined && instance.trim() === '')
    throw new UsageError('--instance must not be empty');

  let logDeliveries: RegExp | undefined;
  if (values['log-deliveries'] !== undefined) {
    try {
      logDeliveries = new RegExp(values['log-deliveries']);
    } catch (error) {
      throw new UsageError(`--log-deliveries: ${(error as Error).message}`);
    }
  }
  const cycles = values['chaos-cycles'];

  const optionalPort = (flag: string, raw: string | undefined): number | undefined =>
    raw === undefined || raw === '' ? undefined : port(flag, raw, 0);

  const duration = values.duration ?? env.DEMO_DURATION;
  return {
    durationSeconds:
      duration === undefined || duration === ''
        ? undefined
        : number('duration', duration, 0, { min: 0.1 }),
    ratePerSecond: number('rate', values.rate ?? env.DEMO_RATE, 5),
    extraTargets: number('targets', values.targets ?? env.DEMO_EXTRA_TARGETS, 0, { integer: true }),
    chaos: values.chaos ?? env.DEMO_CHAOS === '1',
    chaosScale: number('chaos-scale', values['chaos-scale'], 1, { min: 0.01 }),
    chaosCycles:
      cycles === undefined
        ? undefined
        : number('chaos-cycles', cycles, 1, { integer: true, min: 1 }),
    healthIntervalSeconds: number('health-interval', values['health-interval'], 5, { min: 0.1 }),
    refreshIntervalSeconds: number('refresh-interval', values['refresh-interval'], 30, {
      min: 0.1,
    }),
    dlqReplayIntervalSeconds: number('dlq-replay-interval', values['dlq-replay-interval'], 10, {
      min: 0.1,
    }),
    collectorTimeoutMs: number('collector-timeout', values['collector-timeout'], 1000, {
      integer: true,
      min: 1,
    }),
    logDeliveries,
    metricsPort: port(
      'metrics-port',
      values['metrics-port'] ?? env.OTEL_EXPORTER_PROMETHEUS_PORT,
      9464,
    ),
    statsPort: port('stats-port', values['stats-port'] ?? env.DEMO_STATS_PORT, 8080),
    intakePort: optionalPort('intake-port', values['intake-port'] ?? env.DEMO_INTAKE_PORT),
    instance,
    generator: generator === 'on',
    quiet: values.quiet ?? false,
    targetsFile:
      values['targets-file'] ?? fileURLToPath(new URL('./targets.json', import.meta.url)),
    viewIntervalSeconds: number('view-interval', values['view-interval'], 5, { min: 0.2 }),
    workers: number('workers', values.workers, 16, { integer: true, min: 1 }),
    seed: number('seed', values.seed, 57, { integer: true }),
  };
}

/** Raw targets.json entries for `--targets N`: webhooks sharing one embedded receiver, a path each. */
export function generatedWebhookTargets(count: number): unknown[] {
  const width = String(count).length;
  return Array.from({ length: count }, (_, i) => ({
    name: `webhook-scale-${String(i + 1).padStart(width, '0')}`,
    type: 'webhook',
    url: 'builtin:webhook/scale',
    enabled: true,
  }));
}
