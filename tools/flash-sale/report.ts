/**
 * The report of a flash-sale run: the text printed at the end (formatReport), the
 * same as JSON (toJson), and the verdicts both share (summarizeReport), so the
 * terminal, the JSON file and the HTML page (html-report.ts) never disagree.
 */
import type { LatencySummary, LoadResult } from './buyers';

/** At least this share of the buyers must be connected to the gateway at the release, or the barrier is not real. */
export const PEAK_CONNECTIONS_RATIO = 0.95;

export interface ReportAudit {
  ok: boolean;
  violations: string[];
  products: { productId: string; available: number; reserved: number; sold: number; restocked: number }[];
  orders: { pending: number; confirmed: number; failed: number };
  heldReservations?: number;
  /** The wait for every order to be final and every hold released, before the audit. */
  settle?: { settled: boolean; pending: number; held: number; waitedMs: number };
}

export interface ChaosEvent {
  /** Since the release. */
  tMs: number;
  target: string;
  pid: number;
  /** Work the process had in flight when it was killed. */
  inFlight: number;
}

export interface ChaosSummary {
  mode: string;
  kills: number;
  killsWithWorkInFlight: number;
  events: ChaosEvent[];
  note?: string;
}

export interface ReportMeta {
  startedAt: string;
  options: Record<string, unknown>;
  machine: { cpus: number; node: string; platform: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ReportInput {
  meta: ReportMeta;
  load: LoadResult;
  audit: ReportAudit;
  chaos?: ChaosSummary;
}

export interface BarrierVerdict {
  ok: boolean;
  peak: number;
  buyers: number;
  /** peak / buyers */
  ratio: number;
  /** Connections needed for the verdict. */
  required: number;
  text: string;
}

export interface ReportSummary {
  /** Audit passed and no problem below. */
  ok: boolean;
  headline: string;
  unitsStocked: number;
  unitsSold: number;
  payingBuyers: number;
  barrier: BarrierVerdict;
  /** What fails the run besides audit violations: unanswered buyers, errors, 5xx, dropped connections, a barrier that is not real. */
  problems: string[];
  /** What must be said but does not fail the run (e.g. chaos that hit no process with work in flight). */
  warnings: string[];
}

const nf = new Intl.NumberFormat('en-US');
/** 12345 -> "12,345" */
export const fmtInt = (n: number): string => nf.format(n);

/** Milliseconds for a person: "850 ms", "4.27 s", "2 min 5.0 s". */
export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return 'n/a';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const min = Math.floor(ms / 60_000);
  return `${min} min ${((ms - min * 60_000) / 1000).toFixed(1)} s`;
}

/** A latency in ms with sensible precision. */
export function fmtMs(ms: number): string {
  if (ms < 10) return ms.toFixed(2);
  if (ms < 1000) return ms.toFixed(1);
  return fmtInt(Math.round(ms));
}

const plural = (n: number, one: string, many = `${one}s`) => `${fmtInt(n)} ${n === 1 ? one : many}`;

export function barrierVerdict(load: LoadResult): BarrierVerdict {
  const required = Math.ceil(load.buyers * PEAK_CONNECTIONS_RATIO);
  const ratio = load.buyers > 0 ? load.peakOpenConnections / load.buyers : 0;
  if (load.connection === 'per-request') {
    // No connection is held between requests: the barrier releases requests, not open connections.
    const text = `n/a: every request opens a fresh connection (--connection per-request), so none is held at the release (${fmtInt(load.peakOpenConnections)} open then)`;
    return { ok: true, peak: load.peakOpenConnections, buyers: load.buyers, ratio, required: 0, text };
  }
  const ok = load.peakOpenConnections >= required;
  const pct = `${(ratio * 100).toFixed(1)}%`;
  const source = load.peakOpenConnectionsSource === 'client' ? ' (counted by the client: the gateway gauge was not read)' : '';
  const text = ok
    ? `${fmtInt(load.peakOpenConnections)} of ${fmtInt(load.buyers)} buyers (${pct}) held open at the release, >= ${PEAK_CONNECTIONS_RATIO * 100}%: the barrier is real${source}`
    : `${fmtInt(load.peakOpenConnections)} of ${fmtInt(load.buyers)} buyers (${pct}) held open at the release, < ${PEAK_CONNECTIONS_RATIO * 100}% (${fmtInt(required)} needed): THE BARRIER IS NOT REAL${source}`;
  return { ok, peak: load.peakOpenConnections, buyers: load.buyers, ratio, required, text };
}

export function summarizeReport(input: ReportInput): ReportSummary {
  const { load, audit, chaos } = input;
  const unitsStocked = audit.products.reduce((sum, p) => sum + p.restocked, 0);
  const unitsSold = audit.products.reduce((sum, p) => sum + p.sold, 0);
  const payingBuyers = load.outcomes.confirmed;
  const barrier = barrierVerdict(load);

  const problems: string[] = [];
  const unanswered = load.buyers - load.answered;
  if (unanswered > 0) {
    const parts = [`${fmtInt(load.outcomes.error)} error`, `${fmtInt(load.outcomes.unanswered)} gave up at the deadline`];
    problems.push(`${plural(unanswered, 'buyer')} not answered (${parts.join(', ')})`);
  }
  if (load.http5xx > 0) problems.push(`${plural(load.http5xx, 'HTTP 5xx answer')} (other than 503)`);
  if (load.droppedConnections > 0) problems.push(`${plural(load.droppedConnections, 'dropped connection')}`);
  if (!barrier.ok) problems.push(`peak open connections ${barrier.text}`);
  if (load.mode === 'sale' && payingBuyers !== audit.orders.confirmed) {
    problems.push(`${fmtInt(payingBuyers)} buyers were told "confirmed" but the database has ${fmtInt(audit.orders.confirmed)} confirmed orders`);
  }

  const warnings: string[] = [];
  if (chaos && chaos.mode !== 'none' && chaos.killsWithWorkInFlight === 0) {
    warnings.push(`chaos ${chaos.mode}: no kill hit a process with work in flight (${plural(chaos.kills, 'kill')}): this run proves nothing about crashes`);
  }
  warnings.push(...load.notes);

  const ok = audit.ok && problems.length === 0;
  const headline =
    load.mode === 'floor'
      ? `floor: ${fmtInt(load.answered)} of ${fmtInt(load.buyers)} buyers answered (2 × GET /healthz each); ${fmtInt(Math.round(load.buyersPerSecond))} buyers/s`
      : `${fmtInt(unitsSold)} of ${fmtInt(unitsStocked)} units sold to ${plural(payingBuyers, 'paying buyer')}; ` +
        `${fmtInt(load.answered)} of ${fmtInt(load.buyers)} buyers answered; audit ${audit.ok ? 'passed' : 'FAILED'}`;
  return { ok, headline, unitsStocked, unitsSold, payingBuyers, barrier, problems, warnings };
}

/** Latency rows in a stable order: the endpoints, then the buyer, then the warm-up. */
export function latencyRows(load: LoadResult): [string, LatencySummary][] {
  const order = ['addToCart', 'checkOutCart', 'getOrder', 'healthz', 'buyer', 'warmup'];
  const names = Object.keys(load.latency).sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib) || a.localeCompare(b);
  });
  return names.map((n) => [n, load.latency[n]!]);
}

export const LATENCY_LABELS: Record<string, string> = {
  addToCart: 'POST /addToCart',
  checkOutCart: 'POST /checkOutCart',
  getOrder: 'GET /orders/:id',
  healthz: 'GET /healthz',
  buyer: 'buyer: release → answer',
  warmup: 'warm-up (connect + /healthz)',
};

export const OUTCOME_LABELS: Record<string, string> = {
  confirmed: 'confirmed (paid)',
  sold_out: 'sold out',
  declined: 'payment declined',
  expired: 'reservation expired',
  refused: 'refused',
  error: 'error',
  unanswered: 'unanswered',
};

function table(rows: string[][], alignRight: boolean[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (alignRight[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

/** Meta fields beyond startedAt, options and machine (e.g. runId, peak memory of each service), as text. */
export function extraMeta(meta: ReportMeta): [string, string][] {
  return Object.entries(meta)
    .filter(([k, v]) => !['startedAt', 'options', 'machine'].includes(k) && v !== undefined && v !== null)
    .map(([k, v]) => [k, typeof v === 'object' ? Object.entries(v as Record<string, unknown>).map(([a, b]) => `${a} ${String(b)}`).join(', ') : String(v)]);
}

const sumValues = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

function fmtRecord(r: Record<string, number>): string {
  const entries = Object.entries(r).filter(([, n]) => n > 0);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k} ${fmtInt(n)}`).join(', ');
}

export function formatReport(input: ReportInput): string {
  const { load, audit, chaos, meta } = input;
  const s = summarizeReport(input);
  const out: string[] = [];
  const rule = '─'.repeat(78);

  out.push(rule);
  out.push(`FLASH SALE ${s.ok ? 'PASSED' : 'FAILED'}: ${s.headline}`);
  out.push(rule);
  out.push(`started ${meta.startedAt} · ${meta.machine.cpus} CPUs · node ${meta.machine.node} · ${meta.machine.platform}`);
  const opts = Object.entries(meta.options)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `--${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  if (opts) out.push(`options: ${opts}`);
  for (const [k, v] of extraMeta(meta)) out.push(`${k}: ${v}`);
  out.push('');

  out.push(`Buyers: ${fmtInt(load.buyers)} (${fmtInt(load.connectedBuyers)} connected before the release, in ${fmtDuration(load.connectMs)})`);
  if (load.mode === 'sale') {
    const rows = (Object.keys(load.outcomes) as (keyof LoadResult['outcomes'])[]).map((k) => [`  ${OUTCOME_LABELS[k] ?? k}`, fmtInt(load.outcomes[k])]);
    out.push(...table(rows, [false, true]));
  } else {
    out.push(`  answered           ${fmtInt(load.answered)}`);
    out.push(`  error              ${fmtInt(load.outcomes.error)}`);
    out.push(`  unanswered         ${fmtInt(load.outcomes.unanswered)}`);
  }
  const codes = Object.entries(load.codes)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code === '' ? 'success' : code} ${fmtInt(n)}`)
    .join(', ');
  if (codes) out.push(`  final answers: ${codes}`);
  out.push('');

  out.push('Timing (from the release)');
  const timing: string[][] = [];
  if (load.mode === 'sale') {
    const soldOut = s.unitsStocked > 0 && s.unitsSold >= s.unitsStocked;
    timing.push([soldOut ? '  sold out after' : '  last unit sold after', load.soldOutAtMs === null ? 'nothing sold' : fmtDuration(load.soldOutAtMs)]);
  }
  timing.push(['  every buyer answered after', load.answered === load.buyers ? fmtDuration(load.allAnsweredAtMs) : `not all answered (last answer at ${fmtDuration(load.allAnsweredAtMs)})`]);
  timing.push(['  buyers answered per second', fmtInt(Math.round(load.buyersPerSecond))]);
  timing.push(['  wall time (connect + sale)', fmtDuration(load.wallMs)]);
  out.push(...table(timing, [false, false]));
  out.push('');

  out.push('Latency (ms)');
  const lat: string[][] = [['', 'count', 'p50', 'p90', 'p99', 'max', 'mean']];
  for (const [name, l] of latencyRows(load)) {
    lat.push([`  ${LATENCY_LABELS[name] ?? name}`, fmtInt(l.count), fmtMs(l.p50), fmtMs(l.p90), fmtMs(l.p99), fmtMs(l.max), fmtMs(l.mean)]);
  }
  out.push(...table(lat, [false, true, true, true, true, true, true]));
  out.push('');

  out.push(`Connections: ${s.barrier.text}`);
  out.push(`Retries after 429/503: ${fmtRecord(load.retries)}`);
  if (sumValues(load.allReservedRetries ?? {}) > 0) out.push(`Retries after 409 ALL_RESERVED (units held, may come back): ${fmtRecord(load.allReservedRetries)}`);
  out.push(`HTTP 5xx (other than 503): ${fmtInt(load.http5xx)} · dropped connections: ${fmtInt(load.droppedConnections)}${load.droppedConnections > 0 ? ` (${fmtRecord(load.transportErrors)})` : ''}`);
  out.push(`Client process peak memory: ${fmtInt(load.clientPeakRssMb)} MB`);
  out.push('');

  out.push(`Audit of the database: ${audit.ok ? 'PASSED' : `FAILED (${plural(audit.violations.length, 'violation')})`}`);
  for (const p of audit.products.slice(0, 10)) {
    out.push(`  ${p.productId}: available ${fmtInt(p.available)}, reserved ${fmtInt(p.reserved)}, sold ${fmtInt(p.sold)}, restocked ${fmtInt(p.restocked)}`);
  }
  if (audit.products.length > 10) out.push(`  … and ${fmtInt(audit.products.length - 10)} more products (units: ${fmtInt(s.unitsSold)} sold of ${fmtInt(s.unitsStocked)})`);
  out.push(`  orders: ${fmtInt(audit.orders.confirmed)} confirmed, ${fmtInt(audit.orders.failed)} failed, ${fmtInt(audit.orders.pending)} pending` + (audit.heldReservations !== undefined ? `; reservations held: ${fmtInt(audit.heldReservations)}` : ''));
  for (const v of audit.violations) out.push(`  ✗ VIOLATION: ${v}`);
  out.push('');

  if (chaos) {
    out.push(`Chaos (${chaos.mode}): ${plural(chaos.kills, 'kill')}, ${fmtInt(chaos.killsWithWorkInFlight)} with work in flight`);
    for (const e of chaos.events.slice(0, 50)) out.push(`  t=${fmtDuration(e.tMs)}  ${e.target} pid ${e.pid}  (in flight: ${fmtInt(e.inFlight)})`);
    if (chaos.events.length > 50) out.push(`  … ${fmtInt(chaos.events.length - 50)} more`);
    if (chaos.note) out.push(`  ${chaos.note}`);
    out.push('');
  }

  for (const w of s.warnings) out.push(`WARNING: ${w}`);
  for (const p of s.problems) out.push(`PROBLEM: ${p}`);
  out.push(rule);
  out.push(s.ok ? `PASSED: ${s.headline}` : `FAILED: ${[...(audit.ok ? [] : [`${plural(audit.violations.length, 'audit violation')}`]), ...s.problems].join('; ')}`);
  out.push(rule);
  return out.join('\n') + '\n';
}

/** The JSON report: the input as given plus the summary (verdicts). */
export function toJsonObject(input: ReportInput): Record<string, unknown> {
  const summary = summarizeReport(input);
  return { summary, meta: input.meta, load: input.load, audit: input.audit, ...(input.chaos ? { chaos: input.chaos } : {}) };
}

/** The JSON report as text (2-space indent, final newline). */
export function toJson(input: ReportInput): string {
  return JSON.stringify(toJsonObject(input), null, 2) + '\n';
}
