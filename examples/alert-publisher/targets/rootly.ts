/**
 * Fake Rootly REST API (JSON:API): POST /v1/incidents creates an incident (201 with its id),
 * PATCH /v1/incidents/:id updates or resolves it, GET /v1/incidents lists (used for health checks).
 *
 * It keeps every open incident and the last `keepRecent` resolved ones (older resolved incidents
 * are forgotten: a PATCH to one answers 404), so memory follows the open incidents, not the run's
 * length. A hard cap (`maxIncidents`) drops the oldest incident, open or not, should a client leak
 * open incidents.
 */
import { randomUUID } from 'node:crypto';
import {
  FakeTargetServer,
  bearerToken,
  type FakeRequest,
  type FakeResponse,
  type FakeServerOptions,
} from './fake-target-server.js';
import { isRecord } from '../json.js';

export interface RootlyIncident {
  id: string;
  title: string;
  severity: string;
  status: 'started' | 'mitigated' | 'resolved';
  updates: number;
}

export class FakeRootlyServer extends FakeTargetServer {
  readonly kind = 'rootly';
  /** Open incidents and the most recently resolved ones, by id, oldest first. */
  readonly incidents = new Map<string, RootlyIncident>();
  /** Incidents created, lifetime. */
  created = 0;
  /** Ids of the resolved incidents kept, least recently resolved first. */
  private readonly resolved = new Set<string>();
  private readonly maxIncidents: number;

  constructor(options: FakeServerOptions & { maxIncidents?: number } = {}) {
    super(options);
    this.maxIncidents = options.maxIncidents ?? 10_000;
  }

  get openIncidents(): number {
    let open = 0;
    for (const incident of this.incidents.values()) if (incident.status !== 'resolved') open++;
    return open;
  }

  protected override errorBody(status: number): unknown {
    return {
      errors: [
        {
          status: String(status),
          title: status === 429 ? 'Rate limit exceeded' : 'Request failed',
        },
      ],
    };
  }

  protected handle(request: FakeRequest): FakeResponse {
    if (!bearerToken(request.headers)) return this.error(401, 'Unauthorized');
    if (request.path === '/v1/incidents') {
      if (request.method === 'GET')
        return {
          status: 200,
          body: { data: [...this.incidents.values()].slice(0, 1).map(toResource) },
        };
      if (request.method === 'POST') return this.create(request.body);
      return this.error(405, 'Method not allowed');
    }
    const match = /^\/v1\/incidents\/([^/]+)$/.exec(request.path);
    if (match?.[1] && request.method === 'PATCH') return this.update(match[1], request.body);
    return this.error(404, 'Not found');
  }

  private create(body: unknown): FakeResponse {
    const attributes = incidentAttributes(body);
    if (!attributes || typeof attributes.title !== 'string' || attributes.title === '') {
      return this.error(422, "title can't be blank");
    }
    const incident: RootlyIncident = {
      id: randomUUID(),
      title: attributes.title,
      severity: typeof attributes.severity === 'string' ? attributes.severity : 'sev2',
      status: 'started',
      updates: 0,
    };
    this.incidents.set(incident.id, incident);
    this.created++;
    if (this.incidents.size > this.maxIncidents) {
      const oldest = this.incidents.keys().next().value;
      if (oldest !== undefined) this.forget(oldest);
    }
    return { status: 201, body: { data: toResource(incident) } };
  }

  private update(id: string, body: unknown): FakeResponse {
    const incident = this.incidents.get(id);
    if (!incident) return this.error(404, 'Incident not found');
    const attributes = incidentAttributes(body);
    if (!attributes) return this.error(422, 'data.attributes is required');
    const status = attributes.status;
    if (status === 'resolved' || status === 'mitigated' || status === 'started')
      incident.status = status;
    else if (status !== undefined) return this.error(422, `unknown status ${String(status)}`);
    incident.updates++;
    const response = { status: 200, body: { data: toResource(incident) } };
    this.resolved.delete(id);
    if (incident.status === 'resolved') {
      this.resolved.add(id);
      if (this.resolved.size > this.keepRecent) {
        const oldest = this.resolved.values().next().value;
        if (oldest !== undefined) this.forget(oldest);
      }
    }
    return response;
  }

  private forget(id: string): void {
    this.incidents.delete(id);
    this.resolved.delete(id);
  }

  private error(status: number, title: string): FakeResponse {
    return { status, body: { errors: [{ status: String(status), title }] } };
  }
}

function incidentAttributes(body: unknown): Record<string, unknown> | undefined {
  if (!isRecord(body) || !isRecord(body.data) || body.data.type !== 'incidents') return undefined;
  return isRecord(body.data.attributes) ? body.data.attributes : undefined;
}

function toResource(incident: RootlyIncident): unknown {
  return {
    id: incident.id,
    type: 'incidents',
    attributes: { title: incident.title, severity: incident.severity, status: incident.status },
  };
}
