import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';

/**
 * Runs one scrape through the exporter's own request handler (no port needed) and returns the
 * body, as Prometheus would receive it.
 */
export function scrape(exporter: PrometheusExporter): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = new IncomingMessage(new Socket());
    req.method = 'GET';
    req.url = '/metrics';
    const res = new ServerResponse(req);
    let body = '';
    res.write = ((chunk: string | Buffer) => {
      body += chunk.toString();
      return true;
    }) as typeof res.write;
    res.end = ((chunk?: string | Buffer) => {
      if (chunk !== undefined && typeof chunk !== 'function') body += chunk.toString();
      resolve(body);
      return res;
    }) as typeof res.end;
    res.on('error', reject);
    exporter.getMetricsRequestHandler(req, res);
  });
}
