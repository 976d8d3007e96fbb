#!/usr/bin/env node
/**
 * `otel-publishing-metrics stats --prometheus URL [--port P]`: the stats API, `/health`,
 * `/trends` and the status page for a whole fleet of replicas, answered from a
 * Prometheus-compatible query API by a process of its own (no replica needs to be configured).
 */
import { parseCli, USAGE, UsageError, type CliConfig } from './cli/stats-args.js';
import { FleetStatsSource } from './fleet/fleet-stats.js';
import { startStatsServer } from './http/server.js';

async function main(): Promise<void> {
  let config: CliConfig | 'help';
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
  let fleet: FleetStatsSource;
  try {
    fleet = new FleetStatsSource({
      url: config.prometheus,
      timeoutMs: config.timeoutMs,
      matchers: config.matchers,
      instanceLabel: config.instanceLabel,
      namespace: config.namespace,
      windowMs: config.windowSeconds * 1000,
      evaluationDelayMs: config.evaluationDelayMs,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const server = await startStatsServer({
    fleet,
    host: config.host,
    port: config.port,
    token: config.token,
    trends: false,
  });
  // One line a supervisor (or a test) can read the bound port from.
  console.log(`fleet stats from ${config.prometheus} at ${server.url}/api/v2/publishing/stats`);
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) process.exit(130);
      closing = true;
      void server.close().then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
