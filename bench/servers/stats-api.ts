/**
 * Child process of the P4 case: the stats API over a workload of N targets, and a bare node:http
 * server answering the same body, in one process off the load generator's. Prints one JSON line
 * (`{ stats, bare, bytes }` or `{ missing }`) and runs until stdin closes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as library from '../../src/index.js';
import { readyWorkload } from '../workload.js';

const n = Number(process.argv[2] ?? 100);
const STATS_PATH = '/api/v2/publishing/stats';

// The stats server is part of the library's API surface; report its absence rather than fail.
const start = (library as Record<string, unknown>)['startStatsServer'];
if (typeof start !== 'function') {
  process.stdout.write(`${JSON.stringify({ missing: 'startStatsServer is not exported yet' })}\n`);
  process.exit(0);
}

const workload = await readyWorkload(n);
const stats = await library.startStatsServer({
  source: workload.collector,
  host: '127.0.0.1',
  port: 0,
  trends: false,
});
// Traffic keeps arriving while the API is read: one event of every recorder per target per second.
const traffic = setInterval(() => workload.recordAll(), 1000);

const probe = await fetch(`${stats.url}${STATS_PATH}`);
if (probe.status !== 200) throw new Error(`${STATS_PATH} answered ${probe.status}`);
const body = Buffer.from(await probe.arrayBuffer());
const contentType = probe.headers.get('content-type') ?? 'application/json';

const bare = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
  res.end(body);
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const barePort = (bare.address() as AddressInfo).port;

process.stdout.write(
  `${JSON.stringify({
    stats: `${stats.url}${STATS_PATH}`,
    bare: `http://127.0.0.1:${barePort}/`,
    bytes: body.length,
  })}\n`,
);

const stop = async () => {
  clearInterval(traffic);
  bare.closeAllConnections();
  bare.close();
  await stats.close();
  await workload.shutdown();
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
