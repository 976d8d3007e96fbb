/**
 * The demo's way in: `POST /webhook/alertmanager` takes Alertmanager webhook notifications
 * (payload version 4) and submits each alert to the pipeline, which fans it out to every target
 * that receives its severity. Point an Alertmanager `webhook_configs` URL here; the built-in
 * generator posts here too, so there is one path in.
 *
 * Bad requests get a JSON error and are counted by outcome, never thrown: 400 malformed JSON,
 * 422 a body that is not a v4 notification, 413 a body over `maxBodyBytes`, 405 another method,
 * 404 another path. 503 when nothing of the notification could be queued (every job rejected by a
 * full queue, or the service stopping): Alertmanager retries a 5xx, and since no job was accepted
 * the retry duplicates nothing. A partly queued notification answers 200 with the counts; its
 * rejections are in `queue_submissions_total{result="rejected"}`.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert } from '../pipeline/alert.js';
import { InvalidPayloadError, parseWebhookNotification } from './webhook-payload.js';

export const INTAKE_PATH = '/webhook/alertmanager';
export const DEFAULT_INTAKE_PORT = 9097;
/**
 * 1 MiB. A notification carries every alert of its group; the demo's alerts are ~0.6 KB each, so
 * this is ~1,500 alerts. Cap larger groups with `max_alerts` in the Alertmanager webhook config.
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export const INTAKE_OUTCOMES = [
  'accepted',
  'queue_full',
  'unavailable',
  'malformed_json',
  'invalid_payload',
  'too_large',
  'method_not_allowed',
  'not_found',
] as const;
export type IntakeOutcome = (typeof INTAKE_OUTCOMES)[number];

export interface SubmitResult {
  /** Jobs queued (one per target receiving the alert). */
  accepted: number;
  /** Jobs the full queue refused. */
  rejected: number;
  /** False while the service is not taking alerts (starting or stopping). */
  open: boolean;
}

export interface IntakeServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  maxBodyBytes?: number;
  submit(alert: Alert): SubmitResult;
  /** Called once per request with its outcome (the demo counts them as a metric). */
  onOutcome?(outcome: IntakeOutcome): void;
}

export class IntakeServer {
  /** Requests by outcome since start. */
  readonly counts = Object.fromEntries(INTAKE_OUTCOMES.map((o) => [o, 0])) as Record<
    IntakeOutcome,
    number
  >;
  /** Alerts submitted from accepted notifications. */
  alertsReceived = 0;
  private readonly server: http.Server;
  private readonly maxBodyBytes: number;

  constructor(private readonly options: IntakeServerOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.server = http.createServer((req, res) => this.handle(req, res));
    // A sender that stalls mid-body must not hold a socket forever (Alertmanager's own timeout is 10 s).
    this.server.requestTimeout = 15_000;
    this.server.headersTimeout = 10_000;
  }

  /**
   * Binds the port. With `fallbackToFreePort`, a port already in use is replaced by a free one
   * (returned as true) instead of failing: the default port then never stops a second demo, while
   * a port given explicitly still fails loudly.
   */
  async listen({ fallbackToFreePort = false } = {}): Promise<boolean> {
    try {
      await this.bind(this.options.port);
      return false;
    } catch (error) {
      const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (inUse && fallbackToFreePort) {
        await this.bind(0);
        return true;
      }
      if (inUse)
        throw new Error(
          `intake port ${this.options.port} is in use (pass --intake-port <p>, 0 for a free port)`,
        );
      throw error;
    }
  }

  private bind(port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}${INTAKE_PATH}`;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== INTAKE_PATH) {
      this.answer(req, res, 'not_found', 404, { error: `no such path; POST to ${INTAKE_PATH}` });
      return;
    }
    if (req.method !== 'POST') {
      this.answer(req, res, 'method_not_allowed', 405, { error: 'use POST' }, { Allow: 'POST' });
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.maxBodyBytes) {
      this.tooLarge(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > this.maxBodyBytes) {
        over = true;
        chunks.length = 0;
        this.tooLarge(req, res);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) this.receive(req, res, Buffer.concat(chunks));
    });
    req.on('error', () => res.destroy());
  }

  private receive(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (error) {
      this.answer(req, res, 'malformed_json', 400, {
        error: `malformed JSON: ${(error as Error).message}`,
      });
      return;
    }
    let alerts: Alert[];
    try {
      alerts = parseWebhookNotification(json).alerts;
    } catch (error) {
      if (!(error instanceof InvalidPayloadError)) throw error;
      this.answer(req, res, 'invalid_payload', 422, { error: error.message });
      return;
    }
    const jobs = { accepted: 0, rejected: 0 };
    let open = true;
    for (const alert of alerts) {
      const result = this.options.submit(alert);
      jobs.accepted += result.accepted;
      jobs.rejected += result.rejected;
      open &&= result.open;
    }
    if (!open && jobs.accepted === 0) {
      this.answer(req, res, 'unavailable', 503, { error: 'not accepting alerts (stopping)' });
      return;
    }
    if (jobs.accepted === 0 && jobs.rejected > 0) {
      this.answer(req, res, 'queue_full', 503, { error: 'queue full, retry later', jobs });
      return;
    }
    this.alertsReceived += alerts.length;
    this.answer(req, res, 'accepted', 200, { status: 'accepted', alerts: alerts.length, jobs });
  }

  private tooLarge(req: IncomingMessage, res: ServerResponse): void {
    // Close after answering: the rest of the body is not read.
    this.answer(
      req,
      res,
      'too_large',
      413,
      { error: `body over ${this.maxBodyBytes} bytes` },
      { Connection: 'close' },
    );
    res.on('finish', () => req.destroy());
  }

  private answer(
    _req: IncomingMessage,
    res: ServerResponse,
    outcome: IntakeOutcome,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    this.counts[outcome]++;
    this.options.onOutcome?.(outcome);
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }
}
