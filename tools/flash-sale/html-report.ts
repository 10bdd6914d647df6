/**
 * One self-contained HTML page for a flash-sale run: Chart.js inlined in a
 * <script>, the data inlined as JSON, nothing loaded from the network. Laid out
 * to be read at a glance (and screenshotted) at 1280 x 900: the verdict and the
 * headline, the outcome counts, sold-and-answered over time, latency per
 * endpoint, then the audit, chaos, options and machine.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  extraMeta,
  fmtDuration,
  fmtInt,
  fmtMs,
  LATENCY_LABELS,
  latencyRows,
  OUTCOME_LABELS,
  type ReportInput,
  summarizeReport,
  toJsonObject,
} from './report';

let chartJsSource: string | undefined;

/** The Chart.js UMD bundle, read once from node_modules. */
export function chartJs(): string {
  if (chartJsSource === undefined) {
    // The package exports no ./dist/* subpath: resolve its main file and take the UMD bundle beside it.
    const dir = path.dirname(require.resolve('chart.js'));
    chartJsSource = readFileSync(path.join(dir, 'chart.umd.min.js'), 'utf8');
  }
  return chartJsSource;
}

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that is safe inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Source code that is safe inside a <script> element. */
function scriptSource(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

const OUTCOME_COLORS: Record<string, string> = {
  confirmed: '#16a34a',
  sold_out: '#64748b',
  declined: '#d97706',
  expired: '#9333ea',
  refused: '#0891b2',
  error: '#dc2626',
  unanswered: '#dc2626',
};

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f1f5f9;color:#0f172a;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1240px;margin:0 auto;padding:18px 20px 40px}
header{display:flex;align-items:center;gap:18px;background:#fff;border-radius:12px;padding:16px 20px;box-shadow:0 1px 2px rgba(15,23,42,.08)}
.verdict{flex:none;font-weight:800;font-size:20px;letter-spacing:.04em;color:#fff;border-radius:10px;padding:14px 18px}
.verdict.pass{background:#16a34a}.verdict.fail{background:#dc2626}
h1{margin:0;font-size:13px;font-weight:600;color:#64748b;text-transform:uppercase;letter-spacing:.06em}
.headline{margin:2px 0 2px;font-size:21px;font-weight:700;line-height:1.25}
.sub{margin:0;color:#64748b;font-size:13px}
.cards{display:grid;grid-template-columns:repeat(7,1fr);gap:10px;margin-top:12px}
.metrics{display:grid;grid-template-columns:repeat(5,1fr);gap:10px;margin-top:10px}
.card{background:#fff;border-radius:10px;padding:10px 14px;box-shadow:0 1px 2px rgba(15,23,42,.08);border-top:4px solid #cbd5e1}
.card .n{font-size:24px;font-weight:700;font-variant-numeric:tabular-nums}
.card .l{color:#64748b;font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.card.zero .n{color:#94a3b8}
.card.bad{background:#fef2f2}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin-top:12px}
.panel{background:#fff;border-radius:12px;padding:14px 16px;box-shadow:0 1px 2px rgba(15,23,42,.08);margin-top:12px}
.grid2 .panel{margin-top:0}
h2{margin:0 0 8px;font-size:15px}
.chart{position:relative;height:300px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e2e8f0;vertical-align:top}
th{color:#64748b;font-weight:600;font-size:12px}
td.r,th.r{text-align:right}
.audit.ok{border-left:6px solid #16a34a}.audit.bad{border-left:6px solid #dc2626;background:#fff7f7}
.badge{display:inline-block;border-radius:999px;padding:1px 10px;font-size:12px;font-weight:700;color:#fff}
.badge.ok{background:#16a34a}.badge.bad{background:#dc2626}.badge.warn{background:#d97706}
ul.checks{margin:6px 0 0;padding-left:20px}
pre.violation{white-space:pre-wrap;background:#fee2e2;color:#7f1d1d;border-radius:8px;padding:8px 10px;margin:6px 0;font-size:12px}
.problem{color:#b91c1c;font-weight:600}.warning{color:#b45309;font-weight:600}
.kv td:first-child{color:#64748b;width:40%}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
footer{margin-top:14px;color:#94a3b8;font-size:12px;text-align:center}
`;

function card(label: string, value: string, color: string, opts: { zero?: boolean; bad?: boolean } = {}): string {
  const cls = ['card', opts.zero ? 'zero' : '', opts.bad ? 'bad' : ''].filter(Boolean).join(' ');
  return `<div class="${cls}" style="border-top-color:${color}"><div class="n">${escapeHtml(value)}</div><div class="l" title="${escapeHtml(label)}">${escapeHtml(label)}</div></div>`;
}

function kvTable(rows: [string, string][]): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${v}</td></tr>`).join('')}</table>`;
}

function fmtOption(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

export function renderHtml(input: ReportInput): string {
  const { load, audit, chaos, meta } = input;
  const s = summarizeReport(input);

  // The data the charts draw, plus the whole report (confirmed orders capped) for whoever opens the source.
  const report = toJsonObject(input) as { load: Record<string, unknown> };
  const confirmedOrders = load.confirmedOrders;
  report.load = { ...report.load, confirmedOrders: confirmedOrders.slice(0, 100), confirmedOrdersTotal: confirmedOrders.length };
  const chartData = {
    timeline: load.timeline,
    latency: latencyRows(load)
      .filter(([name]) => name !== 'warmup')
      .map(([name, l]) => ({ name, label: LATENCY_LABELS[name] ?? name, ...l })),
    percentiles: Object.fromEntries(
      latencyRows(load)
        .filter(([name]) => name !== 'warmup' && load.latencyPercentiles?.[name])
        .map(([name]) => [LATENCY_LABELS[name] ?? name, load.latencyPercentiles[name]!]),
    ),
    kills: (chaos?.events ?? []).map((e) => ({ tMs: e.tMs, target: e.target, pid: e.pid, inFlight: e.inFlight })),
    mode: load.mode,
  };

  const outcomeCards =
    load.mode === 'sale'
      ? (Object.keys(load.outcomes) as (keyof typeof load.outcomes)[])
          .map((k) =>
            card(OUTCOME_LABELS[k] ?? k, fmtInt(load.outcomes[k]), OUTCOME_COLORS[k] ?? '#cbd5e1', {
              zero: load.outcomes[k] === 0,
              bad: (k === 'error' || k === 'unanswered') && load.outcomes[k] > 0,
            }),
          )
          .join('')
      : [
          card('buyers', fmtInt(load.buyers), '#2563eb'),
          card('answered', fmtInt(load.answered), '#16a34a'),
          card('error', fmtInt(load.outcomes.error), '#dc2626', { zero: load.outcomes.error === 0, bad: load.outcomes.error > 0 }),
          card('unanswered', fmtInt(load.outcomes.unanswered), '#dc2626', { zero: load.outcomes.unanswered === 0, bad: load.outcomes.unanswered > 0 }),
        ].join('');

  const soldOut = s.unitsStocked > 0 && s.unitsSold >= s.unitsStocked;
  const metricCards = [
    load.mode === 'sale'
      ? card(soldOut ? 'sold out after' : 'last unit sold after', load.soldOutAtMs === null ? '—' : fmtDuration(load.soldOutAtMs), '#16a34a')
      : card('wall time', fmtDuration(load.wallMs), '#16a34a'),
    card('every buyer answered after', load.answered === load.buyers ? fmtDuration(load.allAnsweredAtMs) : 'not all', '#2563eb', { bad: load.answered !== load.buyers }),
    card('buyers answered / s', fmtInt(Math.round(load.buyersPerSecond)), '#2563eb'),
    card(`peak open connections (${(s.barrier.ratio * 100).toFixed(1)}% of buyers)`, fmtInt(load.peakOpenConnections), s.barrier.ok ? '#16a34a' : '#dc2626', { bad: !s.barrier.ok }),
    card('5xx · dropped connections', `${fmtInt(load.http5xx)} · ${fmtInt(load.droppedConnections)}`, load.http5xx + load.droppedConnections > 0 ? '#dc2626' : '#16a34a', {
      bad: load.http5xx + load.droppedConnections > 0,
    }),
  ].join('');

  const latencyTable = `<table><tr><th>endpoint</th><th class="r">count</th><th class="r">p50</th><th class="r">p90</th><th class="r">p99</th><th class="r">max</th><th class="r">mean</th></tr>${latencyRows(load)
    .map(
      ([name, l]) =>
        `<tr><td>${escapeHtml(LATENCY_LABELS[name] ?? name)}</td><td class="r">${fmtInt(l.count)}</td><td class="r">${fmtMs(l.p50)}</td><td class="r">${fmtMs(l.p90)}</td><td class="r">${fmtMs(l.p99)}</td><td class="r">${fmtMs(l.max)}</td><td class="r">${fmtMs(l.mean)}</td></tr>`,
    )
    .join('')}</table><p class="sub">milliseconds; HDR histograms (3 significant digits)</p>`;

  const products = audit.products.slice(0, 12);
  const auditHtml = `<div class="panel audit ${audit.ok ? 'ok' : 'bad'}">
<h2>Audit of the database <span class="badge ${audit.ok ? 'ok' : 'bad'}">${audit.ok ? 'PASSED' : `FAILED: ${fmtInt(audit.violations.length)} violation${audit.violations.length === 1 ? '' : 's'}`}</span></h2>
${audit.violations.map((v) => `<pre class="violation">${escapeHtml(v)}</pre>`).join('')}
<table><tr><th>product</th><th class="r">available</th><th class="r">reserved</th><th class="r">sold</th><th class="r">restocked</th></tr>${products
    .map(
      (p) =>
        `<tr><td>${escapeHtml(p.productId)}</td><td class="r">${fmtInt(p.available)}</td><td class="r">${fmtInt(p.reserved)}</td><td class="r">${fmtInt(p.sold)}</td><td class="r">${fmtInt(p.restocked)}</td></tr>`,
    )
    .join('')}${audit.products.length > products.length ? `<tr><td colspan="5">… ${fmtInt(audit.products.length - products.length)} more products; ${fmtInt(s.unitsSold)} of ${fmtInt(s.unitsStocked)} units sold in all</td></tr>` : ''}</table>
<p class="sub">orders: ${fmtInt(audit.orders.confirmed)} confirmed, ${fmtInt(audit.orders.failed)} failed, ${fmtInt(audit.orders.pending)} pending${audit.heldReservations !== undefined ? ` · reservations held: ${fmtInt(audit.heldReservations)}` : ''}</p>
<ul class="checks sub"><li>available + reserved + sold = sum of restocks, and the stock_movements ledger replays to the same counters</li><li>sold = units of confirmed orders = charged, unrefunded payments; no buyer charged without a unit</li><li>no reservation held, no order pending once the sale is over</li></ul>
${s.problems.map((p) => `<p class="problem">✗ ${escapeHtml(p)}</p>`).join('')}${s.warnings.map((w) => `<p class="warning">⚠ ${escapeHtml(w)}</p>`).join('')}
</div>`;

  const chaosHtml = chaos
    ? `<div class="panel"><h2>Chaos: ${escapeHtml(chaos.mode)} <span class="badge ${chaos.mode === 'none' ? 'ok' : chaos.killsWithWorkInFlight > 0 ? 'ok' : 'warn'}">${fmtInt(chaos.kills)} kill${chaos.kills === 1 ? '' : 's'}, ${fmtInt(chaos.killsWithWorkInFlight)} with work in flight</span></h2>
${chaos.mode !== 'none' && chaos.killsWithWorkInFlight === 0 ? '<p class="warning">⚠ No kill hit a process with work in flight: this run proves nothing about crashes.</p>' : ''}
${chaos.note ? `<p class="sub">${escapeHtml(chaos.note)}</p>` : ''}
${chaos.events.length ? `<table><tr><th class="r">t (from release)</th><th>target</th><th class="r">pid</th><th class="r">in flight</th></tr>${chaos.events
        .slice(0, 100)
        .map((e) => `<tr><td class="r">${fmtDuration(e.tMs)}</td><td>${escapeHtml(e.target)}</td><td class="r">${e.pid}</td><td class="r">${fmtInt(e.inFlight)}</td></tr>`)
        .join('')}</table>` : ''}</div>`
    : '';

  const machineRows: [string, string][] = Object.entries(meta.machine).map(([k, v]) => [k, escapeHtml(fmtOption(v))]);
  const optionRows: [string, string][] = Object.entries(meta.options)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [`--${k}`, `<code>${escapeHtml(fmtOption(v))}</code>`]);
  const runRows: [string, string][] = [
    ['started', escapeHtml(meta.startedAt)],
    ['connections', escapeHtml(s.barrier.text)],
    ['connect phase', `${fmtInt(load.connectedBuyers)} buyers warmed up in ${fmtDuration(load.connectMs)}`],
    ['retries after 429/503', escapeHtml(Object.entries(load.retries).map(([k, n]) => `${k} ${fmtInt(n)}`).join(', ') || 'none')],
    ['retries after 409 ALL_RESERVED', escapeHtml(Object.entries(load.allReservedRetries ?? {}).map(([k, n]) => `${k} ${fmtInt(n)}`).join(', ') || 'none')],
    ['final answers', escapeHtml(Object.entries(load.codes).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c === '' ? 'success' : c} ${fmtInt(n)}`).join(', '))],
    ['wall time', fmtDuration(load.wallMs)],
    ['client peak memory', `${fmtInt(load.clientPeakRssMb)} MB`],
    ...extraMeta(meta).map(([k, v]): [string, string] => [k, escapeHtml(v)]),
  ];

  const title = `Flash sale: ${s.headline}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
  <div class="verdict ${s.ok ? 'pass' : 'fail'}">${s.ok ? 'PASSED' : 'FAILED'}</div>
  <div>
    <h1>Flash sale report${load.mode === 'floor' ? ' · floor' : ''}${chaos && chaos.mode !== 'none' ? ` · chaos ${escapeHtml(chaos.mode)}` : ''}</h1>
    <p class="headline">${escapeHtml(s.headline)}</p>
    <p class="sub">${escapeHtml(meta.startedAt)} · ${fmtInt(load.buyers)} buyers released at once · ${escapeHtml(String(meta.machine.cpus))} CPUs · node ${escapeHtml(meta.machine.node)} · ${escapeHtml(meta.machine.platform)}</p>
  </div>
</header>
<section class="cards" style="grid-template-columns:repeat(${load.mode === 'sale' ? 7 : 4},1fr)">${outcomeCards}</section>
<section class="metrics">${metricCards}</section>
<section class="grid2" style="margin-top:12px">
  <div class="panel"><h2>${load.mode === 'sale' ? 'Sold and answered over time' : 'Answered over time'}</h2><div class="chart"><canvas id="timeline"></canvas></div></div>
  <div class="panel"><h2>Latency per endpoint (log scale)</h2><div class="chart"><canvas id="latency"></canvas></div></div>
</section>
<section class="grid2" style="margin-top:12px">
  ${auditHtml}
  <div class="panel"><h2>Latency by percentile (log scale)</h2><div class="chart"><canvas id="percentiles"></canvas></div></div>
</section>
<div class="panel"><h2>Latency</h2>${latencyTable}</div>
${chaosHtml}
<section class="grid2" style="margin-top:12px">
  <div class="panel"><h2>Run</h2>${kvTable(runRows)}</div>
  <div class="panel"><h2>Options and machine</h2>${kvTable([...optionRows, ...machineRows])}</div>
</section>
<footer>Generated by <code>npm run flash-sale</code> · self-contained: Chart.js and the data are inlined</footer>
</main>
<script id="report-data" type="application/json">${scriptJson({ report, chart: chartData })}</script>
<script>${scriptSource(chartJs())}</script>
<script>${scriptSource(PAGE_SCRIPT)}</script>
</body>
</html>
`;
}

/** Draws the charts from the inlined data (runs in the browser). */
const PAGE_SCRIPT = `
(function () {
  var D = JSON.parse(document.getElementById('report-data').textContent).chart;
  if (typeof Chart === 'undefined') return;
  Chart.defaults.animation = false;
  Chart.defaults.font.family = 'system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif';
  Chart.defaults.color = '#475569';
  Chart.defaults.maintainAspectRatio = false;
  var sec = function (ms) { return Math.round(ms) / 1000; };
  var pts = function (key) { return D.timeline.map(function (p) { return { x: sec(p.tMs), y: p[key] }; }); };
  var sets = [
    { label: 'answered', data: pts('answered'), borderColor: '#2563eb', backgroundColor: 'rgba(37,99,235,.08)', fill: true, yAxisID: 'y', pointRadius: 0, borderWidth: 2 },
    { label: 'pending checkouts', data: pts('pending'), borderColor: '#94a3b8', borderDash: [4, 3], yAxisID: 'y', pointRadius: 0, borderWidth: 1.5 },
    { label: 'requests in flight', data: pts('inFlight'), borderColor: '#0891b2', borderDash: [2, 2], yAxisID: 'y', pointRadius: 0, borderWidth: 1, hidden: true }
  ];
  if (D.mode === 'sale') {
    sets.unshift({ label: 'sold (confirmed buyers)', data: pts('confirmed'), borderColor: '#16a34a', backgroundColor: '#16a34a', yAxisID: 'y2', stepped: true, pointRadius: 0, borderWidth: 3 });
  }
  if (D.kills.length) {
    sets.push({ type: 'scatter', label: 'kill (SIGKILL)', data: D.kills.map(function (k) { return { x: sec(k.tMs), y: 0, k: k }; }), yAxisID: 'y', pointStyle: 'triangle', pointRadius: 7, backgroundColor: '#dc2626', borderColor: '#dc2626' });
  }
  var scales = {
    x: { type: 'linear', title: { display: true, text: 'seconds since the release' }, min: 0 },
    y: { type: 'linear', beginAtZero: true, title: { display: true, text: 'buyers' }, position: 'left' }
  };
  if (D.mode === 'sale') scales.y2 = { type: 'linear', beginAtZero: true, position: 'right', title: { display: true, text: 'sold (confirmed buyers)' }, grid: { drawOnChartArea: false }, ticks: { precision: 0, color: '#16a34a' } };
  new Chart(document.getElementById('timeline'), {
    type: 'line',
    data: { datasets: sets },
    options: {
      parsing: true, normalized: true, interaction: { mode: 'nearest', intersect: false },
      scales: scales,
      plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: function (c) { var k = c.raw && c.raw.k; return k ? 'kill ' + k.target + ' pid ' + k.pid + ' (in flight ' + k.inFlight + ')' : c.dataset.label + ': ' + c.parsed.y; } } } }
    }
  });
  // Log axes: label only 1-2-5 steps, in ms or s.
  var logTick = function (v) {
    var m = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
    var wide = this.max / Math.max(this.min, 1e-9) > 2000;
    if (Math.abs(m - 1) > 1e-6 && (wide || (Math.abs(m - 2) > 1e-6 && Math.abs(m - 5) > 1e-6))) return '';
    return v >= 1000 ? (v / 1000) + ' s' : (v >= 1 ? v : Number(v.toPrecision(1))) + ' ms';
  };
  var split = function (label) { var i = label.indexOf(' '); return i > 0 && label.indexOf('/') >= 0 ? [label.slice(0, i), label.slice(i + 1)] : label.split(': '); };
  var lat = D.latency;
  var colors = { p50: '#60a5fa', p90: '#2563eb', p99: '#7c3aed', max: '#dc2626' };
  new Chart(document.getElementById('latency'), {
    type: 'bar',
    data: {
      labels: lat.map(function (l) { return split(l.label); }),
      datasets: ['p50', 'p90', 'p99', 'max'].map(function (k) {
        return { label: k, data: lat.map(function (l) { return Math.max(l[k], 0.001); }), backgroundColor: colors[k] };
      })
    },
    options: {
      scales: { y: { type: 'logarithmic', title: { display: true, text: 'latency' }, ticks: { callback: logTick, autoSkip: false } }, x: { ticks: { maxRotation: 0, autoSkip: false } } },
      plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: function (c) { return c.dataset.label + ': ' + c.parsed.y + ' ms'; } } } }
    }
  });
  var names = Object.keys(D.percentiles);
  var palette = ['#2563eb', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#dc2626'];
  // From p10: p0 is the single fastest request and would stretch the log axis for nothing.
  var from10 = function (pts) { return pts.filter(function (p) { return p[0] >= 10; }); };
  var labels = names.length ? from10(D.percentiles[names[0]]).map(function (p) { return p[0] + '%'; }) : [];
  new Chart(document.getElementById('percentiles'), {
    type: 'line',
    data: {
      labels: labels,
      datasets: names.map(function (n, i) {
        return { label: n, data: from10(D.percentiles[n]).map(function (p) { return Math.max(p[1], 0.001); }), borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], pointRadius: 2, borderWidth: 2, tension: 0.2 };
      })
    },
    options: {
      scales: { y: { type: 'logarithmic', title: { display: true, text: 'latency' }, ticks: { callback: logTick, autoSkip: false } }, x: { title: { display: true, text: 'percentile' } } },
      plugins: { legend: { position: 'bottom' } }
    }
  });
})();
`;
