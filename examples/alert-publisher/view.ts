/**
 * Live terminal view: every few seconds a compact table of targets (health, score, success ratio,
 * p95, circuit, DLQ, queue depth). On a TTY the frame is redrawn in place with one write per frame
 * (cursor up, overwrite each line, clear the rest), which does not flicker; recent events show
 * under the table. Otherwise (piped, CI) every frame and event is appended as plain lines.
 * Rows come from a ViewSource, so the same view can be fed by the pipeline or the library's stats.
 */
import type { CircuitState, TargetHealth } from './ports.js';

export interface ViewRow {
  target: string;
  type: string;
  health: TargetHealth;
  /** Health score 0–100. */
  score: number | undefined;
  /** 0–1 over recent jobs. */
  successRate: number | undefined;
  p95Seconds: number | undefined;
  /** Undefined for a disabled target (no breaker). */
  circuit: CircuitState | undefined;
  dlq: number;
  queueDepth: number;
}

export interface ViewSource {
  rows(): readonly ViewRow[] | Promise<readonly ViewRow[]>;
  /** One line above the table: throughput, queue, refresh state. */
  headline?(): string;
}

export interface LiveViewOptions {
  intervalMs: number;
  output?: NodeJS.WriteStream;
  /** Table rows at most; the worst-scoring targets are shown first when there are more. */
  maxRows?: number;
  /** Recent events kept under the table on a TTY. */
  maxEvents?: number;
}

const COLUMNS = [
  { title: 'TARGET', width: 22 },
  { title: 'TYPE', width: 9 },
  { title: 'HEALTH', width: 9 },
  { title: 'SCORE', width: 5, right: true },
  { title: 'SUCC%', width: 6, right: true },
  { title: 'P95', width: 7, right: true },
  { title: 'CIRCUIT', width: 9 },
  { title: 'DLQ', width: 5, right: true },
  { title: 'QUEUE', width: 5, right: true },
] as const;

const HEALTH_COLOR: Record<TargetHealth, string> = {
  healthy: '32',
  degraded: '33',
  unhealthy: '31',
  unknown: '90',
};
const CIRCUIT_COLOR: Record<CircuitState, string> = { closed: '32', half_open: '33', open: '31' };

export class LiveView {
  private readonly output: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly events: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private drawnLines = 0;
  private rendering = false;
  private source: ViewSource | undefined;

  constructor(private readonly options: LiveViewOptions) {
    this.output = options.output ?? process.stdout;
    this.tty = this.output.isTTY === true;
  }

  /** Starts drawing `source`; events noted before this are kept. */
  start(source: ViewSource): void {
    this.source = source;
    if (this.timer) return;
    if (this.tty) this.output.write('\x1b[?25l');
    this.timer = setInterval(() => void this.draw(), this.options.intervalMs);
  }

  /** Draws a last frame and gives the terminal its cursor back. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.draw();
    if (this.tty) this.output.write('\x1b[?25h');
  }

  /** An operational event: appended at once when piped, shown under the table on a TTY. */
  note(message: string): void {
    const line = `${clock()} ${message}`;
    if (!this.tty) {
      this.output.write(`${line}\n`);
      return;
    }
    this.events.push(line);
    const max = this.options.maxEvents ?? 6;
    if (this.events.length > max) this.events.splice(0, this.events.length - max);
  }

  async draw(): Promise<void> {
    const source = this.source;
    if (this.rendering || !source) return;
    this.rendering = true;
    try {
      const rows = await source.rows();
      const frame = [source.headline?.() ?? '', ...renderTable(rows, this.rowBudget(), this.tty)];
      if (!this.tty) {
        this.output.write(`--- ${clock()} ${frame.join('\n')}\n`);
        return;
      }
      if (this.events.length > 0) frame.push('', ...this.events);
      const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F` : '';
      this.output.write(`${up}${frame.map((line) => `${line}\x1b[K`).join('\n')}\n\x1b[J`);
      this.drawnLines = frame.length;
    } finally {
      this.rendering = false;
    }
  }

  /** Keeps the frame shorter than the terminal: a taller one scrolls and cannot be redrawn in place. */
  private rowBudget(): number {
    const max = this.options.maxRows ?? 20;
    if (!this.tty || !this.output.rows) return max;
    const reserved = 4 + (this.events.length > 0 ? (this.options.maxEvents ?? 6) + 1 : 0);
    return Math.max(3, Math.min(max, this.output.rows - reserved));
  }
}

/** Header and one line per row; the worst scores first when rows must be cut. */
export function renderTable(rows: readonly ViewRow[], maxRows: number, color = false): string[] {
  const ordered =
    rows.length > maxRows ? [...rows].sort((a, b) => (a.score ?? 100) - (b.score ?? 100)) : rows;
  const shown = ordered.slice(0, maxRows);
  const lines = [
    COLUMNS.map((column) => pad(column.title, column.width, 'right' in column)).join(' '),
  ];
  for (const row of shown) {
    const cells = [
      row.target,
      row.type,
      row.health,
      row.score === undefined ? '-' : row.score.toFixed(0),
      row.successRate === undefined ? '-' : (row.successRate * 100).toFixed(1),
      row.p95Seconds === undefined ? '-' : formatSeconds(row.p95Seconds),
      row.circuit ?? '-',
      String(row.dlq),
      String(row.queueDepth),
    ];
    const padded = cells.map((cell, i) => {
      const column = COLUMNS[i] ?? COLUMNS[0];
      return pad(cell, column.width, 'right' in column);
    });
    if (color) {
      padded[2] = paint(padded[2] ?? '', HEALTH_COLOR[row.health]);
      if (row.circuit) padded[6] = paint(padded[6] ?? '', CIRCUIT_COLOR[row.circuit]);
    }
    lines.push(padded.join(' '));
  }
  if (rows.length > shown.length)
    lines.push(`… ${rows.length - shown.length} more targets (best scores hidden)`);
  return lines;
}

function pad(text: string, width: number, right: boolean): string {
  const cut = text.length > width ? `${text.slice(0, width - 1)}…` : text;
  return right ? cut.padStart(width) : cut.padEnd(width);
}

function paint(text: string, code: string): string {
  return `\x1b[${code}m${text}\x1b[0m`;
}

function formatSeconds(seconds: number): string {
  return seconds < 1 ? `${(seconds * 1000).toFixed(0)}ms` : `${seconds.toFixed(2)}s`;
}

function clock(): string {
  return new Date().toISOString().slice(11, 19);
}
