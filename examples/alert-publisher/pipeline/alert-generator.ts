/**
 * Produces a realistic Alertmanager stream at a steady rate: new alerts fire, some are re-notified
 * while still firing (Alertmanager's repeat_interval), and every resolved alert follows an earlier
 * firing one with the same fingerprint.
 */
import {
  EXTERNAL_URL,
  ZERO_TIME,
  fingerprintOf,
  type Alert,
  type AlertLabels,
  type Severity,
} from './alert.js';
import { pick, seededRandom, type Random } from './random.js';

interface AlertRule {
  alertname: string;
  severity: Severity;
  job: string;
  summary: string;
}

const RULES: readonly AlertRule[] = [
  {
    alertname: 'NodeDown',
    severity: 'critical',
    job: 'node',
    summary: 'Node {instance} is unreachable',
  },
  {
    alertname: 'APIHighErrorRate',
    severity: 'critical',
    job: 'api',
    summary: '5xx ratio above 5% on {instance}',
  },
  {
    alertname: 'DiskWillFillIn4Hours',
    severity: 'critical',
    job: 'node',
    summary: 'Disk on {instance} fills within 4h',
  },
  {
    alertname: 'KubePodCrashLooping',
    severity: 'warning',
    job: 'kube-state-metrics',
    summary: 'Pod on {instance} is crash looping',
  },
  {
    alertname: 'HighCPUUsage',
    severity: 'warning',
    job: 'node',
    summary: 'CPU above 90% on {instance}',
  },
  {
    alertname: 'HighMemoryUsage',
    severity: 'warning',
    job: 'node',
    summary: 'Memory above 90% on {instance}',
  },
  {
    alertname: 'APILatencyHigh',
    severity: 'warning',
    job: 'api',
    summary: 'p99 latency above 1s on {instance}',
  },
  {
    alertname: 'CertificateExpiringSoon',
    severity: 'info',
    job: 'blackbox',
    summary: 'TLS certificate on {instance} expires in 14d',
  },
  {
    alertname: 'DeploymentReplicasMismatch',
    severity: 'info',
    job: 'kube-state-metrics',
    summary: 'Replicas mismatch on {instance}',
  },
];

const INSTANCES: readonly string[] = Array.from(
  { length: 24 },
  (_, i) => `node-${String(i + 1).padStart(2, '0')}:9100`,
);

export interface AlertGeneratorOptions {
  /** Alerts per second. */
  ratePerSecond: number;
  seed?: number;
  /** Firing alerts kept at most; beyond it the generator resolves before firing new ones. */
  maxActive?: number;
  /** Share of emissions that resolve an active alert. */
  resolveShare?: number;
  /** Share of emissions that re-notify an active alert. */
  renotifyShare?: number;
  /** Clock, for tests. */
  now?: () => Date;
}

export class AlertGenerator {
  private readonly random: Random;
  private readonly active = new Map<string, Alert>();
  private timer: NodeJS.Timeout | undefined;
  private lastTick = 0;
  private due = 0;
  private generated = 0;
  private readonly maxActive: number;
  private readonly resolveShare: number;
  private readonly renotifyShare: number;
  private readonly now: () => Date;

  constructor(
    private readonly options: AlertGeneratorOptions,
    private readonly emit: (alert: Alert) => void,
  ) {
    this.random = seededRandom(options.seed ?? 57);
    this.maxActive = options.maxActive ?? 200;
    this.resolveShare = options.resolveShare ?? 0.3;
    this.renotifyShare = options.renotifyShare ?? 0.1;
    this.now = options.now ?? (() => new Date());
  }

  get emitted(): number {
    return this.generated;
  }

  start(): void {
    if (this.timer || this.options.ratePerSecond <= 0) return;
    this.lastTick = performance.now();
    // A 100 ms tick with a fractional carry keeps the average rate exact at any --rate, where a
    // 1000/rate interval would be clamped to 1 ms and drift above 1000 alerts/s.
    this.timer = setInterval(() => this.tick(), 100);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The next alert of the stream (emits nothing). */
  next(): Alert {
    this.generated++;
    const roll = this.random();
    const mustResolve = this.active.size >= this.maxActive;
    if (this.active.size > 0 && (mustResolve || roll < this.resolveShare)) return this.resolveOne();
    if (this.active.size > 0 && roll < this.resolveShare + this.renotifyShare)
      return this.renotifyOne();
    return this.fire();
  }

  private tick(): void {
    const now = performance.now();
    this.due += ((now - this.lastTick) / 1000) * this.options.ratePerSecond;
    this.lastTick = now;
    while (this.due >= 1) {
      this.due--;
      this.emit(this.next());
    }
  }

  private fire(): Alert {
    const rule = pick(this.random, RULES);
    const instance = pick(this.random, INSTANCES);
    const labels: AlertLabels = {
      alertname: rule.alertname,
      severity: rule.severity,
      instance,
      job: rule.job,
    };
    const fingerprint = fingerprintOf(labels);
    const existing = this.active.get(fingerprint);
    if (existing) return { ...existing };
    const alert: Alert = {
      status: 'firing',
      labels,
      annotations: {
        summary: rule.summary.replace('{instance}', instance),
        description: `${rule.alertname} fired for ${instance} (job ${rule.job}).`,
      },
      startsAt: this.now().toISOString(),
      endsAt: ZERO_TIME,
      generatorURL: `${EXTERNAL_URL.replace(':9093', ':9090')}/graph?g0.expr=ALERTS%7Balertname%3D%22${rule.alertname}%22%7D`,
      fingerprint,
    };
    this.active.set(fingerprint, alert);
    return alert;
  }

  private renotifyOne(): Alert {
    const alert = pick(this.random, [...this.active.values()]);
    return { ...alert };
  }

  private resolveOne(): Alert {
    // Oldest first: Map iteration follows insertion order.
    const [fingerprint, alert] = this.active.entries().next().value as [string, Alert];
    this.active.delete(fingerprint);
    return { ...alert, status: 'resolved', endsAt: this.now().toISOString() };
  }
}
