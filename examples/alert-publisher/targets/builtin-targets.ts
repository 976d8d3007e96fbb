/**
 * The embedded fake targets behind `builtin:<kind>[/<instance>]` references in targets.json. Each
 * distinct reference is its own server (so chaos can take down one Slack workspace and not the
 * other), started on first use on a free loopback port and kept until shutdown.
 */
import { FakePagerDutyServer } from './pagerduty.js';
import { FakeRootlyServer } from './rootly.js';
import { FakeSlackServer } from './slack.js';
import { FakeWebhookServer } from './webhook.js';
import type { FakeTargetServer } from './fake-target-server.js';
import type { TargetKind } from '../target-kinds.js';
import type { BuiltinReference, TargetAuth } from '../pipeline/target-config.js';

export interface BuiltinResolution {
  /** Where the publisher sends: the API base for Slack/Rootly/PagerDuty, the hook URL for webhooks. */
  url: string;
  server: FakeTargetServer;
}

export class BuiltinTargets {
  private readonly servers = new Map<string, Promise<FakeTargetServer>>();
  private readonly byTarget = new Map<string, FakeTargetServer>();

  /**
   * Resolves a reference for one target, starting its server if needed. Webhook targets get their
   * own path on the shared server, guarded by the credentials the target had when first seen: like
   * a real receiver's secret, it does not follow later edits of targets.json (edit a token to see
   * auth failures).
   */
  async resolve(
    ref: BuiltinReference,
    targetName: string,
    auth?: TargetAuth,
  ): Promise<BuiltinResolution> {
    const server = await this.server(ref);
    this.byTarget.set(targetName, server);
    if (server instanceof FakeWebhookServer) {
      const path = `/hooks/${encodeURIComponent(targetName)}`;
      if (!server.knowsPath(path))
        server.expectAuth(path, auth?.type === 'routing_key' ? undefined : auth);
      return { url: `${server.origin}${path}`, server };
    }
    return { url: server.origin, server };
  }

  /** The embedded server a target was last resolved to. */
  serverOf(targetName: string): FakeTargetServer | undefined {
    return this.byTarget.get(targetName);
  }

  /** The running servers, keyed `kind/instance`. */
  async list(): Promise<Map<string, FakeTargetServer>> {
    const entries = await Promise.all(
      [...this.servers].map(async ([key, server]) => [key, await server] as const),
    );
    return new Map(entries);
  }

  async stop(): Promise<void> {
    const servers = await this.list();
    this.servers.clear();
    this.byTarget.clear();
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }

  private server(ref: BuiltinReference): Promise<FakeTargetServer> {
    const key = `${ref.kind}/${ref.instance}`;
    let server = this.servers.get(key);
    if (!server) {
      server = createFakeServer(ref.kind).start();
      this.servers.set(key, server);
    }
    return server;
  }
}

export function createFakeServer(kind: TargetKind): FakeTargetServer {
  switch (kind) {
    case 'slack':
      return new FakeSlackServer();
    case 'rootly':
      return new FakeRootlyServer();
    case 'pagerduty':
      return new FakePagerDutyServer();
    case 'webhook':
      return new FakeWebhookServer();
  }
}
