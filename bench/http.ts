/** Loopback HTTP for the end-to-end cases: one server with several routes, a keep-alive client. */
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface Served {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `routes` by path on 127.0.0.1, a free port. */
export async function serve(routes: Readonly<Record<string, Route>>): Promise<Served> {
  const server = createServer((req, res) => {
    const route = routes[req.url ?? ''];
    if (route === undefined) res.writeHead(404).end();
    else route(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One keep-alive connection, as a Prometheus server keeps per target. */
export const scrapeAgent = new Agent({ keepAlive: true, maxSockets: 1 });

/** GETs `url` and returns the body size; rejects on a status other than 200. */
export function fetchBytes(url: string, agent: Agent = scrapeAgent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${url}: ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
