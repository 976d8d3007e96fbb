/**
 * The alert-publisher demo service: generates Alertmanager alerts and publishes them to Slack,
 * Rootly, PagerDuty and webhook targets (embedded fake servers on loopback) through the priority
 * queue, retries, circuit breakers and DLQ, with live target discovery, health checks and a
 * terminal view. `--help` lists the flags.
 */
import { hostname } from 'node:os';
import { ChaosScenario } from './chaos.js';
import { USAGE, UsageError, generatedWebhookTargets, parseCli, type DemoConfig } from './cli.js';
import { AlertStorm } from './faults/alert-storm.js';
import { PortFaults } from './faults/port-faults.js';
import { IntakeClient } from './intake/intake-client.js';
import { DEFAULT_INTAKE_PORT, IntakeServer } from './intake/intake-server.js';
import { AlertGenerator } from './pipeline/alert-generator.js';
import type { Job } from './pipeline/job.js';
import { AlertPipeline, type PipelineLog } from './pipeline/pipeline.js';
import { PipelineViewSource } from './pipeline-view.js';
import { BuiltinTargets } from './targets/builtin-targets.js';
import { wireTelemetry, type Telemetry } from './telemetry.js';
import { LiveView } from './view.js';

async function main(): Promise<void> {
  let config: DemoConfig | 'help';
  try {
    config = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (config === 'help') {
    console.log(USAGE);
    return;
  }
  await run(config);
}

async function run(config: DemoConfig): Promise<void> {
  const builtins = new BuiltinTargets();
  // Created first so every component can report events through it; it starts drawing later.
  const view = config.quiet
    ? undefined
    : new LiveView({ intervalMs: config.viewIntervalSeconds * 1000 });
  const log: PipelineLog = (message, level) => {
    if (view) view.note(message);
    else if (level === 'warn') console.error(message);
  };

  const pipeline = new AlertPipeline({
    targetsFile: config.targetsFile,
    extraTargets: generatedWebhookTargets(config.extraTargets),
    resolveBuiltin: async (ref, spec) => (await builtins.resolve(ref, spec.name, spec.auth)).url,
    workers: config.workers,
    health: { intervalMs: config.healthIntervalSeconds * 1000 },
    refresh: { intervalMs: config.refreshIntervalSeconds * 1000 },
    dlq: { replayIntervalMs: config.dlqReplayIntervalSeconds * 1000 },
    log,
    ...(config.logDeliveries && { onDelivered: deliveryLine(config.logDeliveries) }),
  });
  // The telemetry reads the subsystems through these, so chaos can make a port hang or throw.
  const portFaults = new PortFaults();
  let telemetry: Telemetry | undefined;
  const intake = new IntakeServer({
    port: config.intakePort ?? DEFAULT_INTAKE_PORT,
    submit: (alert) => pipeline.offer(alert),
    onOutcome: (outcome) => telemetry?.countIntake(outcome),
  });
  // The generator is a client of the intake, like Alertmanager: one path in.
  const client = new IntakeClient({
    url: () => intake.url,
    log: (message) => log(message, 'warn'),
  });
  const generator = new AlertGenerator(
    { ratePerSecond: config.generator ? config.ratePerSecond : 0, seed: config.seed },
    (alert) => client.post(alert),
  );
  try {
    telemetry = await wireTelemetry(portFaults.wrap(pipeline.ports), pipeline, {
      serviceName: 'alert-publisher-demo',
      // A free metrics port (0) is not known yet: the process id keeps the name unique instead.
      instanceId:
        config.instance ??
        `${hostname()}:${config.metricsPort === 0 ? `pid${process.pid}` : config.metricsPort}`,
      metricsPort: config.metricsPort,
      statsPort: config.statsPort,
      collectorTimeoutMs: config.collectorTimeoutMs,
      queueDepths: new PipelineViewSource(pipeline, generator),
    });
  } catch (error) {
    console.error(`cannot start telemetry: ${(error as Error).message}`);
    await builtins.stop();
    process.exitCode = 1;
    return;
  }
  const wired = telemetry;

  try {
    await pipeline.start();
    const moved = await intake.listen({ fallbackToFreePort: config.intakePort === undefined });
    if (moved) log(`intake: port ${DEFAULT_INTAKE_PORT} in use, took a free port`, 'warn');
  } catch (error) {
    console.error(`cannot start: ${(error as Error).message}`);
    await pipeline.stop(0);
    await builtins.stop();
    await wired.shutdownTelemetry();
    process.exitCode = 1;
    return;
  }

  const chaos = config.chaos
    ? new ChaosScenario(
        {
          targets: () => pipeline.discovery.targets,
          serverOf: (name) => builtins.serverOf(name),
          ports: portFaults,
          discovery: pipeline.discovery,
          storm: new AlertStorm((alert) => client.post(alert)),
          // Printed in quiet mode too: the scenario's timeline is what a run is read against.
          log: (message) => (view ? view.note(message) : console.log(message)),
        },
        {
          scale: config.chaosScale,
          ...(config.chaosCycles !== undefined && { cycles: config.chaosCycles }),
        },
      )
    : undefined;

  await printStartup(config, builtins, wired.endpoints, pipeline.refresh.changeDetection, [
    `intake: ${intake.url} (instance ${wired.instanceId})`,
  ]);
  generator.start();
  chaos?.start();
  view?.start(wired.viewSource);
  void view?.draw();

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      // Through the view on a TTY: a stray line would shift the frame it redraws in place.
      if (view) view.note(`shutting down (${reason})…`);
      else console.log(`shutting down (${reason})…`);
      clearTimeout(deadline);
      generator.stop();
      await client.flush();
      await intake.close();
      // Targets back to normal first, so the drain is not stuck behind a dead or throttling target.
      await chaos?.stop();
      const { drained, abandoned } = await pipeline.stop(5_000);
      await view?.stop();
      await builtins.stop();
      await wired.shutdownTelemetry();
      const { succeeded, failed, dlq } = pipeline.totals;
      console.log(
        `stopped: ${generator.emitted} alerts, jobs ok ${succeeded} / failed ${failed} / dlq ${dlq}, ` +
          `DLQ left ${pipeline.dlq.total}${drained ? '' : `, ${abandoned} queued jobs abandoned`}`,
      );
    })();
    return stopping;
  };
  const deadline =
    config.durationSeconds === undefined
      ? undefined
      : setTimeout(
          () => void shutdown(`--duration ${config.durationSeconds}s`),
          config.durationSeconds * 1000,
        );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // A second signal while draining means "now".
      if (stopping) process.exit(130);
      void shutdown(signal);
    });
  }
}

async function printStartup(
  config: DemoConfig,
  builtins: BuiltinTargets,
  endpoints: readonly string[],
  detection: string,
  extraLines: readonly string[],
): Promise<void> {
  const servers = await builtins.list();
  const ports = [...servers].map(([key, server]) => `${key}=${server.port}`).join(' ');
  console.log(
    `alert-publisher demo: ${config.generator ? `${config.ratePerSecond} alerts/s` : 'generator off'}, ${config.workers} workers${config.chaos ? ', chaos on' : ''}`,
  );
  console.log(`targets file ${config.targetsFile} (change detection: ${detection})`);
  console.log(`fake targets on 127.0.0.1: ${ports}`);
  console.log(endpoints.length > 0 ? `telemetry: ${endpoints.join('  ')}` : 'telemetry: none');
  for (const line of extraLines) console.log(line);
  if (config.quiet) console.log('running quietly; Ctrl-C to stop');
}

/** One stdout line per delivered alert whose name matches (`--log-deliveries`). */
function deliveryLine(match: RegExp): (job: Job) => void {
  return ({ alert, target }) => {
    if (match.test(alert.labels.alertname))
      console.log(
        `delivered ${alert.status} ${alert.labels.alertname} ${alert.fingerprint} -> ${target}`,
      );
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
