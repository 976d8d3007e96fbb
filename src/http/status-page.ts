/**
 * The built-in status page served at `{base}/`: one self-contained HTML document (no build step,
 * no external assets, so it works on an air-gapped host) that polls the JSON endpoints next to it.
 * Sparklines are drawn from the polls the page itself has seen, so the server keeps no history for
 * them. With a bearer token configured, open the page as `{base}/#token=<token>`: the fragment
 * never leaves the browser, and the page sends it as `Authorization` on every poll.
 */

const STYLE = `
:root { color-scheme: light dark; --ok: #1a7f37; --warn: #b35900; --bad: #cf222e; --muted: #6e7781; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; }
h1 { font-size: 1.25rem; margin: 0 0 .25rem; }
.muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; }
.card { border: 1px solid #8884; border-radius: 6px; padding: .5rem .75rem; min-width: 9rem; }
.card b { display: block; font-size: 1.4rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #8883; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.healthy, .closed { color: var(--ok); } .degraded, .half_open, .unknown { color: var(--warn); }
.unhealthy, .open { color: var(--bad); }
svg.spark { width: 90px; height: 20px; vertical-align: middle; }
svg.spark polyline { fill: none; stroke: currentColor; stroke-width: 1.5; }
#error { color: var(--bad); }
`;

/* The page script: plain ES2020, no dependencies. Everything it renders goes through text nodes
 * (never innerHTML with data), so a hostile target name cannot inject markup. */
const SCRIPT = `
const base = location.pathname.replace(/\\/+$/, '');
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const headers = token ? { Authorization: 'Bearer ' + token } : {};
const HISTORY = 60;
const history = { score: [], success: [], depth: [], dlq: [], targets: new Map() };

function push(list, value) { if (typeof value === 'number') { list.push(value); if (list.length > HISTORY) list.shift(); } }
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}
function spark(values) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('viewBox', '0 0 90 20');
  if (values.length > 1) {
    const min = Math.min(...values), max = Math.max(...values), span = max - min || 1;
    const points = values.map((v, i) => (i * 90 / (values.length - 1)).toFixed(1) + ',' + (18 - (v - min) * 16 / span).toFixed(1));
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', points.join(' '));
    svg.append(line);
  }
  return svg;
}
const pct = (v) => v === null || v === undefined ? '–' : (v * 100).toFixed(1) + '%';
const secs = (v) => v === null || v === undefined ? '–' : v < 1 ? (v * 1000).toFixed(0) + ' ms' : v.toFixed(2) + ' s';
const num = (v, d = 0) => v === null || v === undefined ? '–' : Number(v).toFixed(d);

async function get(path) {
  const res = await fetch(base + path, { headers, cache: 'no-store' });
  const body = await res.json();
  if (!res.ok && res.status !== 503) throw new Error(path + ': ' + (body.error ? body.error.message : res.status));
  return body;
}

function card(label, value, sparkValues, cls) {
  const b = el('b', cls ? { class: cls } : {}, value);
  return el('div', { class: 'card' }, el('span', { class: 'muted' }, label), b, spark(sparkValues));
}

function render(stats, health, trends) {
  const s = stats.system;
  push(history.score, s.healthScore.score);
  push(history.success, s.successRate);
  push(history.depth, s.queue.depth);
  push(history.dlq, s.dlq.total);
  document.getElementById('status').replaceChildren(
    el('span', { class: health.status }, health.status.toUpperCase()),
    ' · score ' + num(health.score, 1),
    health.reasons.length ? ' · ' + health.reasons.map((r) => r.message || r.code || JSON.stringify(r)).join('; ') : '',
  );
  const trend = (t) => (t && t.direction ? t.direction : 'insufficient_data');
  document.getElementById('cards').replaceChildren(
    card('health score', num(s.healthScore.score, 1), history.score),
    card('success rate (' + trend(trends && trends.successRate) + ')', pct(s.successRate), history.success),
    card('jobs/s', num(s.jobsPerSecond, 1), []),
    card('queue depth (' + trend(trends && trends.queueDepth) + ')', num(s.queue.depth) + ' / ' + num(s.queue.capacity), history.depth),
    card('DLQ', num(s.dlq.total), history.dlq, s.dlq.total > 0 ? 'degraded' : 'healthy'),
    card('workers active / idle', num(s.workers.active) + ' / ' + num(s.workers.idle), []),
  );
  const queue = Object.entries(s.queue.priorities || {}).map(([p, q]) =>
    el('tr', {}, el('td', {}, p), el('td', { class: 'num' }, num(q.size)), el('td', { class: 'num' }, num(q.capacity)), el('td', { class: 'num' }, pct(q.utilization))));
  document.getElementById('queue').replaceChildren(...queue);
  const rows = stats.targets.map((t) => {
    let h = history.targets.get(t.name);
    if (!h) { h = []; history.targets.set(t.name, h); }
    push(h, t.healthScore.score);
    return el('tr', { 'data-target': t.name },
      el('td', {}, t.name), el('td', {}, t.type),
      el('td', { class: t.health.status }, t.health.status),
      el('td', { class: 'num' }, num(t.healthScore.score, 0)), el('td', {}, spark(h)),
      el('td', { class: 'num' }, pct(t.successRate)),
      el('td', { class: 'num' }, secs(t.latency.p95)),
      el('td', { class: t.circuitState }, t.circuitState),
      el('td', { class: 'num' }, num(t.dlqSize)));
  });
  document.getElementById('targets').replaceChildren(...rows);
  const collectors = Object.entries(s.collectors || {}).map(([name, c]) =>
    el('span', { class: c.ok ? 'healthy' : 'unhealthy' }, name + (c.ok ? ' ✓ ' : ' ✗ ')));
  document.getElementById('collectors').replaceChildren(...collectors);
  document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
}

async function refresh() {
  try {
    const [stats, health, trends] = await Promise.all([
      get('/stats?limit=1000&sort=score'), get('/health'), get('/trends').catch(() => undefined),
    ]);
    render(stats, health, trends);
    document.getElementById('error').textContent = '';
  } catch (err) {
    document.getElementById('error').textContent = String(err.message || err);
  }
}
refresh();
setInterval(refresh, Number(document.body.dataset.refreshMs) || 5000);
`;

/** The page, with the poll interval in milliseconds. */
export function statusPageHtml(refreshMs: number): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Alert publishing status</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body data-refresh-ms="${Math.max(500, Math.floor(refreshMs))}">
<h1>Alert publishing</h1>
<div id="status" class="muted">loading…</div>
<div id="error"></div>
<div id="cards" class="cards"></div>
<h2>Targets</h2>
<table>
<thead><tr><th>target</th><th>type</th><th>health</th><th>score</th><th>trend</th><th>success</th><th>p95</th><th>circuit</th><th>DLQ</th></tr></thead>
<tbody id="targets"></tbody>
</table>
<h2>Queue</h2>
<table>
<thead><tr><th>priority</th><th>depth</th><th>capacity</th><th>utilization</th></tr></thead>
<tbody id="queue"></tbody>
</table>
<p class="muted">collectors: <span id="collectors"></span> · <span id="updated"></span></p>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
