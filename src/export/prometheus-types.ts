import type { IncomingMessage, ServerResponse } from 'node:http';

/** A `(req, res)` handler serving Prometheus text; mount it in node:http, Express or Fastify. */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Prometheus text exposition format 0.0.4, which every Prometheus version negotiates. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
