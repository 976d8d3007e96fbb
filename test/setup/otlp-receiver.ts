/**
 * A minimal OTLP/HTTP receiver on node:http for tests: keeps every request, decodes OTLP/JSON,
 * and can refuse (answer a status), hang (never answer) or accept.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceiverMode = 'accept' | 'hang' | { status: number };

export interface ReceivedRequest {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
  readonly at: number;
}

export interface OtlpReceiver {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** Requests received and not yet answered. */
  readonly open: number;
  /** Highest number of requests open at once. */
  readonly maxOpen: number;
  mode: ReceiverMode;
  close(): Promise<void>;
}

export async function startOtlpReceiver(
  mode: ReceiverMode = 'accept',
  port = 0,
): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let open = 0;
  let maxOpen = 0;
  const state = { mode };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        open--;
      }
    };
    res.on('close', finish);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const current = state.mode;
      if (current === 'hang') {
        hanging.add(res);
        return;
      }
      if (current !== 'accept') {
        res.writeHead(current.status).end();
        return;
      }
      requests.push({
        path: req.url ?? '',
        contentType: String(req.headers['content-type'] ?? ''),
        body: Buffer.concat(chunks),
        at: Date.now(),
      });
      const json = String(req.headers['content-type']).includes('json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/v1/metrics`,
    port: bound,
    requests,
    get open() {
      return open;
    },
    get maxOpen() {
      return maxOpen;
    },
    get mode() {
      return state.mode;
    },
    set mode(m: ReceiverMode) {
      state.mode = m;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// OTLP/JSON, as far as tests read it

export interface JsonAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; doubleValue?: number };
}

export interface JsonNumberPoint {
  attributes?: JsonAttribute[];
  asDouble?: number;
  asInt?: string | number;
  timeUnixNano?: string | number;
}

export interface JsonHistogramPoint {
  attributes?: JsonAttribute[];
  count: string | number;
  sum?: number;
  bucketCounts: Array<string | number>;
  explicitBounds: number[];
}

export interface JsonMetric {
  name: string;
  unit?: string;
  gauge?: { dataPoints: JsonNumberPoint[] };
  sum?: { dataPoints: JsonNumberPoint[]; isMonotonic?: boolean; aggregationTemporality?: number };
  histogram?: { dataPoints: JsonHistogramPoint[]; aggregationTemporality?: number };
}

export interface JsonExport {
  resourceMetrics: Array<{
    resource?: { attributes?: JsonAttribute[] };
    scopeMetrics: Array<{ scope?: { name?: string }; metrics: JsonMetric[] }>;
  }>;
}

export function decodeJson(request: ReceivedRequest): JsonExport {
  return JSON.parse(request.body.toString('utf8')) as JsonExport;
}

/** All metrics of one export, by name. */
export function metricsByName(request: ReceivedRequest): Map<string, JsonMetric> {
  const out = new Map<string, JsonMetric>();
  for (const rm of decodeJson(request).resourceMetrics) {
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) out.set(m.name, m);
  }
  return out;
}

export function attributesOf(point: { attributes?: JsonAttribute[] }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of point.attributes ?? []) {
    out[a.key] = String(a.value.stringValue ?? a.value.intValue ?? a.value.doubleValue ?? '');
  }
  return out;
}
