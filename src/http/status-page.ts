import { createHash } from 'node:crypto';

/**
 * The built-in status page served at `{base}/`: one self-contained HTML document (no build step,
 * no external assets, so it works on an air-gapped host) that polls the JSON endpoints next to it.
 * Sparklines are drawn from the polls the page itself has seen, so the server keeps no history for
 * them. The page holds no data, so it is served without the bearer token; with a token
 * configured, open it as `{base}/#token=<token>` (the fragment never leaves the browser) or paste
 * the token into the form it shows on a 401, and it sends it as `Authorization` on every poll.
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
#auth { margin: .75rem 0; display: flex; gap: .5rem; align-items: center; }
[hidden] { display: none !important; }
`;

/* The page script: plain ES2020, no dependencies. Everything it renders goes through text nodes
 * (never innerHTML with data), so a hostile target name cannot inject markup. Every figure may be
 * missing (no queue port, a failing collector, an older server): a missing one is shown as "no
 * data" and never stops the polling, because the page matters most during an incident. */
const SCRIPT = `
const base = location.pathname.replace(/\\/+$/, '');
const TOKEN_KEY = 'publishing-stats-token ' + base;
const HISTORY = 60;
const seen = { score: [], success: [], depth: [], dlq: [], targets: new Map() };

/* The token comes from the #token= fragment (never sent to a server) or the form, is kept in this
 * tab's sessionStorage so a reload works, and the fragment is removed from the address bar. */
function storage(action, value) {
  try {
    if (action === 'get') return sessionStorage.getItem(TOKEN_KEY);
    if (action === 'set') sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch (_) { /* storage disabled: the token lives in this page only */ }
  return null;
}
let token = null;
function tokenFromFragment() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!fromHash) return false;
  token = fromHash;
  storage('set', token);
  window.history.replaceState(null, '', location.pathname + location.search);
  return true;
}
if (!tokenFromFragment()) token = storage('get');

class Unauthorized extends Error {}

async function get(path) {
  const headers = token ? { Authorization: 'Bearer ' + token } : {};
  const res = await fetch(base + path, { headers, cache: 'no-store' });
  if (res.status === 401) throw new Unauthorized(token ? 'the token was refused' : 'this server requires a token');
  const body = await res.json();
  // 503 from /health is a verdict (unhealthy); any other error, 503 "unavailable" included, is not.
  if (body && body.error) throw new Error(path + ': ' + (body.error.message || res.status));
  if (!res.ok && res.status !== 503) throw new Error(path + ': ' + res.status);
  return body;
}

function push(list, value) { if (typeof value === 'number') { list.push(value); if (list.length > HISTORY) list.shift(); } }
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
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
const NO_DATA = 'no data';
const known = (v) => typeof v === 'number' && Number.isFinite(v);
const pct = (v) => known(v) ? (v * 100).toFixed(1) + '%' : '–';
const secs = (v) => known(v) ? (v < 1 ? (v * 1000).toFixed(0) + ' ms' : v.toFixed(2) + ' s') : '–';
const num = (v, d = 0) => known(v) ? v.toFixed(d) : '–';
const word = (v, fallback) => typeof v === 'string' && v !== '' ? v : fallback;

function card(label, value, sparkValues, cls) {
  const b = el('b', cls ? { class: cls } : {}, value);
  return el('div', { class: 'card' }, el('span', { class: 'muted' }, label), b, spark(sparkValues));
}

function render(stats, health, trends) {
  const s = (stats && stats.system) || {};
  const queue = s.queue || null;
  const dlq = s.dlq || {};
  const workers = s.workers || {};
  const score = s.healthScore ? s.healthScore.score : null;
  push(seen.score, score);
  push(seen.success, s.successRate);
  if (queue) push(seen.depth, queue.depth);
  push(seen.dlq, dlq.total);
  const verdict = word(health && health.status, 'unknown');
  const reasons = Array.isArray(health && health.reasons) ? health.reasons : [];
  document.getElementById('status').replaceChildren(
    el('span', { class: verdict }, verdict.toUpperCase()),
    ' · score ' + num(health && health.score, 1),
    reasons.length ? ' · ' + reasons.map((r) => (r && (r.message || r.code)) || JSON.stringify(r)).join('; ') : '',
  );
  const trend = (t) => (t && t.direction ? t.direction : 'insufficient_data');
  document.getElementById('cards').replaceChildren(
    card('health score', num(score, 1), seen.score),
    card('success rate (' + trend(trends && trends.successRate) + ')', pct(s.successRate), seen.success),
    card('jobs/s', num(s.jobsPerSecond, 1), []),
    card('queue depth (' + trend(trends && trends.queueDepth) + ')',
      queue ? num(queue.depth) + ' / ' + num(queue.capacity) : NO_DATA, seen.depth, queue ? '' : 'unknown'),
    card('DLQ', known(dlq.total) ? num(dlq.total) : NO_DATA, seen.dlq, dlq.total > 0 ? 'degraded' : 'healthy'),
    card('workers active / idle', known(workers.active) || known(workers.idle) ? num(workers.active) + ' / ' + num(workers.idle) : NO_DATA, []),
  );
  const priorities = Object.entries((queue && queue.priorities) || {}).map(([p, q]) =>
    el('tr', {}, el('td', {}, p), el('td', { class: 'num' }, num(q && q.size)), el('td', { class: 'num' }, num(q && q.capacity)), el('td', { class: 'num' }, pct(q && q.utilization))));
  document.getElementById('queue').replaceChildren(
    ...(priorities.length ? priorities : [el('tr', { id: 'no-queue' }, el('td', { colspan: 4, class: 'muted' }, NO_DATA + ': no queue is reported'))]));
  const targets = Array.isArray(stats && stats.targets) ? stats.targets : [];
  const rows = targets.map((t) => {
    let h = seen.targets.get(t.name);
    if (!h) { h = []; seen.targets.set(t.name, h); }
    const targetScore = t.healthScore ? t.healthScore.score : null;
    push(h, targetScore);
    const status = word(t.health && t.health.status, 'unknown');
    const circuit = word(t.circuitState, 'unknown');
    return el('tr', { 'data-target': String(t.name) },
      el('td', {}, String(t.name)), el('td', {}, word(t.type, 'unknown')),
      el('td', { class: status }, status),
      el('td', { class: 'num' }, num(targetScore, 0)), el('td', {}, spark(h)),
      el('td', { class: 'num' }, pct(t.successRate)),
      el('td', { class: 'num' }, secs(t.latency && t.latency.p95)),
      el('td', { class: circuit }, circuit),
      el('td', { class: 'num' }, num(t.dlqSize)));
  });
  document.getElementById('targets').replaceChildren(...rows);
  const collectors = Object.entries(s.collectors || {}).map(([name, c]) =>
    el('span', { class: !c || c.available === false ? 'muted' : c.ok ? 'healthy' : 'unhealthy' },
      name + (!c || c.available === false ? ' – ' : c.ok ? ' ✓ ' : ' ✗ ')));
  document.getElementById('collectors').replaceChildren(...collectors);
  document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  document.body.dataset.renders = String(Number(document.body.dataset.renders || 0) + 1);
}

function askForToken(message) {
  document.getElementById('auth').hidden = false;
  document.getElementById('auth-message').textContent = message;
}

async function refresh() {
  try {
    const [stats, health, trends] = await Promise.all([
      get('/stats?limit=1000&sort=score'), get('/health'),
      // Asked only of a server that has trends: a 404 on every poll would fill the console.
      document.body.dataset.trends === 'true' ? get('/trends').catch(() => undefined) : undefined,
    ]);
    render(stats, health, trends);
    document.getElementById('auth').hidden = true;
    document.getElementById('error').textContent = '';
  } catch (err) {
    if (err instanceof Unauthorized) askForToken(err.message);
    document.getElementById('error').textContent = String((err && err.message) || err);
  }
}

document.getElementById('auth').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('token');
  const value = input.value.trim();
  input.value = '';
  if (!value) return;
  token = value;
  storage('set', token);
  refresh();
});
window.addEventListener('hashchange', () => { if (tokenFromFragment()) refresh(); });
refresh();
setInterval(refresh, Number(document.body.dataset.refreshMs) || 5000);
`;

/** `'sha256-…'`, the CSP source that allows exactly this inline text. */
function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The page's Content-Security-Policy: its own inline script and style by hash (no
 * `unsafe-inline`, no external load of any kind), fetches to its own origin only, no framing,
 * no forms sent anywhere. `img-src data:` is for the empty favicon.
 */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${cspHash(SCRIPT)}`,
  `style-src ${cspHash(STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The page, with the poll interval in milliseconds and whether the server answers `/trends`. */
export function statusPageHtml(refreshMs: number, trends = true): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Alert publishing status</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body data-refresh-ms="${Math.max(500, Math.floor(refreshMs))}" data-trends="${trends}">
<h1>Alert publishing</h1>
<div id="status" class="muted">loading…</div>
<div id="error"></div>
<form id="auth" hidden>
<label for="token" id="auth-message">this server requires a token</label>
<input id="token" type="password" autocomplete="off" spellcheck="false" placeholder="bearer token">
<button type="submit">Use token</button>
</form>
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
