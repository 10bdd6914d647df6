/**
 * npm run bench [-- --section <id> --title "<title>"] [--only F1,S1] [--deadline-ms 240000]
 *                 [--floor-runs 5] [--sale-runs 3] [--profile all|none|S1,S2] [--no-warmup] [--out file]
 *
 * Floors and flash-sale workloads, each on a freshly started system, written to
 * one section of BENCHMARKS.md (sections.ts: `latest` unless --section names
 * another; other sections are left alone). Numbers, not judgements: nothing
 * fails on a threshold; only an audit violation (or a row that could not run)
 * fails the run.
 *
 * Floors: the same load tool, client settings and shape as the sales (every
 * buyer's first request at once at the release, its second when the first is
 * answered), two GET /healthz per buyer, against
 *   - a plain node:http server in its own process that answers at once (floor-server.ts), and
 *   - the gateway's GET /healthz (the whole system up, as ./setup.sh starts it);
 * with a fresh connection per request (as 10,000 distinct buyers arrive: the
 * shape of the S sales) and with a kept-alive connection per buyer (the K rows
 * and T). "N×" of a sale is its time from the release to the last final answer
 * over the same for the floor with as many buyers, connected the same way.
 *
 * Sales, each on two systems: S = what ./setup.sh starts (1 cart and 1 checkout
 * manager, payment latency 200 ms, every other setting at its default) and
 * T = today's bench before issue 8 (2 + 2 workers, payment latency 0):
 *   1. stock 10, 10,000 buyers, one unit each
 *   2. stock 10,000, 10,000 buyers (every buyer wins: the hot row at full load)
 *   3. 100 products of 100 units, 5,000 buyers with carts of 1 to 5 random products
 * Buyers retry ALL_RESERVED, 429 and 503 after Retry-After and poll their order
 * after a 202 until it is final; only final answers count. Each sale has a
 * deadline (240 s from the release): past it the row reports what was answered
 * and "did not finish". The sales on system S (--profile) then run once more,
 * not measured, with every service under --cpu-prof (it costs them about 40%
 * more CPU); the busiest process's profile is summarised (top functions by self
 * time). At the
 * end of each sale the services' /metrics give the mean batch size of every
 * batching hop (consumer_batch_items_total / consumer_batches_total by
 * queue: orders for checkout.process, whose messages hold a batch each, else messages, inventory_coalesced_batches_total / inventory_coalesced_calls_total by
 * op), "–" where a service does not export them.
 *
 * BENCH_SCALE=0.05 runs everything at a twentieth of the size (a quick check).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { dbEnv, loadConfig } from '../../common/src/config';
import { type ConnectionMode, type LoadResult, runBuyers } from '../flash-sale/buyers';
import { defaultOptions, NOT_SETTLED, type Options, runSale } from '../flash-sale/cli';
import type { ReportAudit } from '../flash-sale/report';
import { type ProfileTop, readProfile, topSelfTime } from '../lib/cpu-profile';
import { readGauge } from '../lib/http';
import { meanBatchSizes } from '../lib/prom-text';
import { peakRssKb } from '../lib/processes';
import type { ServiceName } from '../lib/services';
import { type LocalSystem, ROOT } from '../lib/system';
import { LATEST, isSectionId, upsertSection } from './sections';

// ------------------------------------------------------------------ what runs

const scale = Number(process.env.BENCH_SCALE ?? 1);
const n = (x: number) => Math.max(1, Math.round(x * scale));
const int = (x: number) => Math.round(x).toLocaleString('en');

/** The issue's bound on the gateway floor: at most this many times the node:http floor. */
const GATEWAY_FLOOR_BOUND = 1.5;
const DEFAULT_DEADLINE_MS = 240_000;
/** After a sale, how long to wait for every order to be final before auditing what is there. */
const SETTLE_TIMEOUT_MS = 90_000;
const PROFILE_TOP = 12;
/**
 * Each floor runs this many times, the floors interleaved round by round, and reports its median run: on two
 * shared cores one 10,000-buyer floor varies from 1 s to 4.5 s from run to run (the client's GC and JIT).
 */
const DEFAULT_FLOOR_RUNS = 5;
/**
 * Each sale runs this many times, each on a freshly started system, and its row is the median run (by
 * release → last answer), every run listed beside it: on two shared cores one all-win sale varied from
 * 7.4 s to 10.8 s from run to run with the same code, so one run could not tell a 10% change.
 */
const DEFAULT_SALE_RUNS = 3;
/**
 * The sales whose services are profiled, in a run of their own after the measured one: --cpu-prof costs the
 * services about 40% more CPU (today's workload 2 went from 197 s to past the deadline), so no measured row runs under it.
 */
const DEFAULT_PROFILED = ['S1', 'S2', 'S3'];
/** Unreported node:http floors first: in a fresh process the load tool's own code is cold. */
const CLIENT_WARMUPS = 2;

export interface SystemShape {
  key: 'S' | 'T';
  name: string;
  workers: number;
  paymentLatencyMs: number;
  /** The services keep their own defaults (as ./setup.sh starts them), else the flash-sale tool's settings. */
  serviceDefaults: boolean;
  describe: string;
}

export const SETUP: SystemShape = {
  key: 'S',
  name: 'setup.sh defaults',
  workers: 1,
  paymentLatencyMs: 200,
  serviceDefaults: true,
  describe:
    'what `./setup.sh` starts: 1 api-gateway, 1 cart-manager, 1 checkout-manager, 1 inventory-manager; mock payment latency 200 ms (PAYMENT_LATENCY_MS), CHECKOUT_WAIT_MS 10 s, reservation TTL 120 s, reconciler after 300 s; every pool, prefetch and limit at its default',
};

export const TODAY: SystemShape = {
  key: 'T',
  name: "today's bench",
  workers: 2,
  paymentLatencyMs: 0,
  serviceDefaults: false,
  describe:
    "the system `npm run bench` measured before issue 8: 1 api-gateway, 2 cart-managers, 2 checkout-managers, 1 inventory-manager; mock payment latency 0; the flash-sale tool's settings (delivery limit 50, reconciler after 240 s every 5 s), CHECKOUT_WAIT_MS 10 s and every pool and prefetch at its default",
};

interface FloorSpec {
  kind: 'floor';
  id: string;
  server: 'node:http' | 'gateway';
  buyers: number;
  connection: ConnectionMode;
  name: string;
}

interface SaleSpec {
  kind: 'sale';
  id: string;
  shape: SystemShape;
  name: string;
  buyers: number;
  /** How the buyers connect; the row's "N×" is over the floor measured the same way. */
  connection: ConnectionMode;
  options: Partial<Options>;
}

type Spec = FloorSpec | SaleSpec;

const CONNECTION_LABEL: Record<ConnectionMode, string> = {
  'per-buyer': 'connection per buyer',
  'per-request': 'fresh connection per request',
};

function floor(id: string, server: FloorSpec['server'], buyers: number, connection: ConnectionMode): FloorSpec {
  return { kind: 'floor', id, server, buyers, connection, name: `${server} floor: ${int(buyers)} buyers x 2 GET /healthz, ${CONNECTION_LABEL[connection]}` };
}

/**
 * The three sales of a system. `connection` is how its buyers connect; `suffix` tells the rows of the same
 * system apart by it (S2 with a fresh connection per request, S2K with a kept-alive connection per buyer).
 */
function sales(shape: SystemShape, connection: ConnectionMode, suffix = '', only: number[] = [1, 2, 3]): SaleSpec[] {
  const label = suffix ? `, ${CONNECTION_LABEL[connection]}` : '';
  const all: SaleSpec[] = [
    { kind: 'sale', id: `${shape.key}1${suffix}`, shape, connection, name: `1. stock 10, ${int(n(10_000))} buyers, one unit each${label}`, buyers: n(10_000), options: { buyers: n(10_000), stock: 10 } },
    {
      kind: 'sale',
      id: `${shape.key}2${suffix}`,
      shape,
      connection,
      name: `2. stock ${int(n(10_000))}, ${int(n(10_000))} buyers (every buyer wins)${label}`,
      buyers: n(10_000),
      options: { buyers: n(10_000), stock: n(10_000) },
    },
    {
      kind: 'sale',
      id: `${shape.key}3${suffix}`,
      shape,
      connection,
      name: `3. 100 products x 100 units, ${int(n(5_000))} buyers, carts of 1-5 products${label}`,
      buyers: n(5_000),
      options: { buyers: n(5_000), products: 100, stock: 100, 'cart-size': '1-5' },
    },
  ];
  return all.filter((_, k) => only.includes(k + 1));
}

export const SPECS: Spec[] = [
  floor('F1', 'node:http', n(10_000), 'per-buyer'),
  floor('F2', 'gateway', n(10_000), 'per-buyer'),
  floor('F3', 'node:http', n(10_000), 'per-request'),
  floor('F4', 'gateway', n(10_000), 'per-request'),
  floor('F5', 'node:http', n(5_000), 'per-buyer'),
  floor('F6', 'gateway', n(5_000), 'per-buyer'),
  floor('F7', 'node:http', n(5_000), 'per-request'),
  floor('F8', 'gateway', n(5_000), 'per-request'),
  // As 10,000 distinct buyers arrive: every request on a fresh connection (the issue's shape).
  ...sales(SETUP, 'per-request'),
  // Labelled beside them: the same sales with one kept-alive connection per buyer, as every sale ran before.
  ...sales(SETUP, 'per-buyer', 'K', [1, 2]),
  // Today's workloads, in the shape they were measured before issue 8 (connection per buyer).
  ...sales(TODAY, 'per-buyer'),
];

// ------------------------------------------------------------------ results

interface FloorRow {
  spec: FloorSpec;
  /** The median run (by release → last answer). */
  load: LoadResult;
  /** Release → last answer of every run, ms, in run order. */
  runsMs: number[];
  memoryMb: Record<string, number>;
  processes: Record<string, number>;
  benchMs: number;
}

interface BatchHop {
  batches: number;
  items: number;
  mean: number;
}

interface SaleRow {
  spec: SaleSpec;
  load: LoadResult;
  audit: ReportAudit;
  memoryMb: Record<string, number>;
  processes: Record<string, number>;
  queuePrefix: string;
  /** Mean items per batch by queue (consumer_batch_items_total / consumer_batches_total), over every process. */
  consumerBatches: Record<string, BatchHop>;
  /** Mean calls per coalesced batch by op (inventory_coalesced_batches_total / inventory_coalesced_calls_total). */
  coalesced: Record<string, BatchHop>;
  /** Whether any /metrics page could be read at the end (else batch sizes are unknown, not absent). */
  metricsRead: boolean;
  cpu: { name: ServiceName; pid: number; cpuSeconds: number; cpuProfile?: string }[];
  benchMs: number;
  /** release → last answer of every measured run of this sale (the row is the median one). */
  runsMs: number[];
  /** The same workload run once more with every service under --cpu-prof (not the measured run: the profiler costs CPU). */
  profiled?: ProfiledRun;
}

type BusiestProfile = { process: string; pid: number; cpuSeconds: number; file: string; top: ProfileTop } | { error: string };

interface ProfiledRun {
  load: LoadResult;
  audit: ReportAudit;
  cpu: SaleRow['cpu'];
  profile: BusiestProfile;
  benchMs: number;
}

interface FailedRow {
  spec: Spec;
  error: string;
  benchMs: number;
}

type Row = FloorRow | SaleRow | FailedRow;

const isFailed = (r: Row): r is FailedRow => 'error' in r;
const isSale = (r: Row): r is SaleRow => !isFailed(r) && r.spec.kind === 'sale';
const isFloor = (r: Row): r is FloorRow => !isFailed(r) && r.spec.kind === 'floor';

/** Some buyer was still waiting at the deadline. */
export function didNotFinish(load: LoadResult): boolean {
  return load.outcomes.unanswered > 0 || (load.codes.DEADLINE ?? 0) > 0;
}

/** From the release to the last final answer, ms; for a run that did not finish, the deadline (a lower bound). */
export function releaseToLastAnswerMs(load: LoadResult, deadlineMs: number): { ms: number; lowerBound: boolean } {
  if (didNotFinish(load)) return { ms: deadlineMs, lowerBound: true };
  return { ms: load.allAnsweredAtMs ?? 0, lowerBound: false };
}

/** The run in the middle by release → last answer (the lower middle of an even count). */
export function medianRun(loads: readonly LoadResult[], deadlineMs: number): LoadResult {
  if (loads.length === 0) throw new Error('no run');
  const sorted = [...loads].sort((a, b) => releaseToLastAnswerMs(a, deadlineMs).ms - releaseToLastAnswerMs(b, deadlineMs).ms);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export function ratioText(ratio: number, lowerBound = false): string {
  if (!Number.isFinite(ratio) || ratio <= 0) return '–';
  const digits = ratio < 10 ? 2 : 1;
  return `${lowerBound ? '> ' : ''}${ratio.toFixed(digits)}×`;
}

// ------------------------------------------------------------------ running

interface BenchArgs {
  section: string;
  title: string;
  only: Set<string> | null;
  deadlineMs: number;
  noWarmup: boolean;
  floorRuns: number;
  /** Each sale row runs this many times; the row is its median run. */
  saleRuns: number;
  /** Sale rows run a second time with every service under --cpu-prof (ids). */
  profile: Set<string>;
  out: string;
}

function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      section: { type: 'string' },
      title: { type: 'string' },
      only: { type: 'string' },
      'deadline-ms': { type: 'string' },
      out: { type: 'string' },
      'no-warmup': { type: 'boolean' },
      'floor-runs': { type: 'string' },
      'sale-runs': { type: 'string' },
      profile: { type: 'string' },
    },
  });
  const section = values.section ?? LATEST;
  if (!isSectionId(section)) throw new Error(`--section: lower-case letters, digits and -, got '${section}'`);
  const deadlineMs = values['deadline-ms'] === undefined ? DEFAULT_DEADLINE_MS : Number(values['deadline-ms']);
  if (!Number.isInteger(deadlineMs) || deadlineMs < 1_000) throw new Error('--deadline-ms: an integer >= 1000');
  const only = values.only ? new Set(values.only.split(',').map((s) => s.trim().toUpperCase())) : null;
  return {
    section,
    title: values.title ?? (section === LATEST ? 'Latest run ({commit}, {date})' : `${section} ({commit}, {date})`),
    only,
    deadlineMs,
    noWarmup: values['no-warmup'] ?? false,
    floorRuns: positiveInt(values['floor-runs'], DEFAULT_FLOOR_RUNS, '--floor-runs'),
    saleRuns: positiveInt(values['sale-runs'], DEFAULT_SALE_RUNS, '--sale-runs'),
    profile: profileSet(values.profile),
    out: values.out ?? path.join(ROOT, 'BENCHMARKS.md'),
  };
}

/** --profile all | none | S1,S2 (default: the sales on the system ./setup.sh starts). */
function profileSet(raw: string | undefined): Set<string> {
  const sales = SPECS.filter((spec) => spec.kind === 'sale').map((spec) => spec.id);
  if (raw === undefined) return new Set(DEFAULT_PROFILED);
  if (raw === 'all') return new Set(sales);
  if (raw === 'none') return new Set();
  const ids = raw.split(',').map((x) => x.trim().toUpperCase());
  for (const id of ids) if (!sales.includes(id)) throw new Error(`--profile: '${id}' is not a sale row (${sales.join(', ')})`);
  return new Set(ids);
}

function positiveInt(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name}: a positive integer, got '${raw}'`);
  return v;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

function countByName(system: LocalSystem | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of system?.processes ?? []) out[p.name] = (out[p.name] ?? 0) + 1;
  return out;
}

type FloorRun = Omit<FloorRow, 'benchMs' | 'runsMs'>;

async function runGatewayFloor(spec: FloorSpec, db: DbConfig, deadlineMs: number): Promise<FloorRun> {
  let system: LocalSystem | undefined;
  const options = defaultOptions({
    start: true,
    floor: true,
    buyers: spec.buyers,
    workers: SETUP.workers,
    'payment-latency-ms': SETUP.paymentLatencyMs,
    'no-progress': true,
    'deadline-ms': deadlineMs,
    'settle-timeout-ms': SETTLE_TIMEOUT_MS,
    connection: spec.connection,
  });
  const { input } = await runSale(options, db, { serviceDefaults: true, onSystem: (s) => (system = s) });
  return { spec, load: input.load, memoryMb: (input.meta.peakMemoryMb as Record<string, number>) ?? {}, processes: countByName(system) };
}

async function runNodeHttpFloor(spec: FloorSpec, deadlineMs: number): Promise<FloorRun> {
  const script = path.join(ROOT, 'dist', 'tools', 'bench', 'floor-server.js');
  const child = spawn('node', [script], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let peakKb = 0;
  const sample = () => {
    const kb = child.pid ? peakRssKb(child.pid) : null;
    if (kb !== null) peakKb = Math.max(peakKb, kb);
  };
  const sampler = setInterval(sample, 500);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('the node:http floor server did not say "listening <port>" within 10 s')), 10_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening (\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once('exit', (code) => reject(new Error(`the node:http floor server exited with ${code}`)));
    });
    const url = `http://127.0.0.1:${port}`;
    const load = await runBuyers({
      gatewayUrl: url,
      buyers: spec.buyers,
      cartOf: () => [],
      clientPrefix: `floor-${Date.now().toString(36)}`,
      floor: true,
      connection: spec.connection,
      deadlineMs,
      openConnections: async () => (await readGauge(`${url}/metrics`, 'gateway_open_connections', 5_000)) ?? 0,
    });
    sample();
    return { spec, load, memoryMb: { 'node:http server': Math.round(peakKb / 102.4) / 10 }, processes: { 'node:http server': 1 } };
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  }
}

async function runSaleRow(spec: SaleSpec, db: DbConfig, deadlineMs: number, runDir: string | null): Promise<Omit<SaleRow, 'benchMs' | 'runsMs'>> {
  const shape = spec.shape;
  let system: LocalSystem | undefined;
  let pages: { name: ServiceName; pid: number; text: string }[] = [];
  const options = defaultOptions({
    start: true,
    workers: shape.workers,
    'payment-latency-ms': shape.paymentLatencyMs,
    'no-progress': true,
    'retry-all-reserved': true,
    'deadline-ms': deadlineMs,
    'settle-timeout-ms': SETTLE_TIMEOUT_MS,
    connection: spec.connection,
    ...spec.options,
  });
  const { input } = await runSale(options, db, {
    serviceDefaults: shape.serviceDefaults,
    cpuProfileDir: runDir ? path.join(runDir, spec.id) : undefined,
    onSystem: (s) => (system = s),
    beforeStop: async (s) => {
      pages = await s.metricsPages();
    },
  });
  const texts = pages.map((p) => p.text);
  const cpu = system?.cpuSeconds() ?? [];
  return {
    spec,
    load: input.load,
    audit: input.audit,
    memoryMb: (input.meta.peakMemoryMb as Record<string, number>) ?? {},
    processes: countByName(system),
    queuePrefix: String(input.meta.queuePrefix ?? ''),
    consumerBatches: meanBatchSizes(texts, 'consumer_batches_total', 'consumer_batch_items_total', 'queue'),
    coalesced: meanBatchSizes(
      pages.filter((p) => p.name === 'inventory-manager').map((p) => p.text),
      'inventory_coalesced_batches_total',
      'inventory_coalesced_calls_total',
      'op',
    ),
    metricsRead: pages.length > 0,
    cpu,
  };
}

/** The profile of the process that used the most CPU (user + system, read from /proc before it was stopped). */
function busiestProfile(cpu: SaleRow['cpu']): BusiestProfile {
  const busiest = cpu[0];
  if (!busiest) return { error: 'no process' };
  if (!busiest.cpuProfile) return { error: 'not profiled' };
  if (!existsSync(busiest.cpuProfile)) return { error: `${busiest.name} (pid ${busiest.pid}) wrote no profile (it did not exit normally)` };
  try {
    return { process: busiest.name, pid: busiest.pid, cpuSeconds: busiest.cpuSeconds, file: busiest.cpuProfile, top: topSelfTime(readProfile(busiest.cpuProfile), { limit: PROFILE_TOP, root: ROOT }) };
  } catch (err) {
    return { error: `cannot read ${busiest.cpuProfile}: ${(err as Error).message}` };
  }
}

type DbConfig = ReturnType<typeof loadDb>;
function loadDb() {
  return loadConfig(z.object(dbEnv));
}

// ------------------------------------------------------------------ writing

function ms(x: number | undefined): string {
  return x === undefined ? '–' : x >= 100 ? Math.round(x).toLocaleString('en') : x.toFixed(1);
}

function endpointCell(load: LoadResult, endpoint: string): string {
  const l = load.latency[endpoint];
  return l && l.count > 0 ? `${ms(l.p50)} / ${ms(l.p99)}` : '–';
}

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 }).trim().split('\n')[0]!;
  } catch {
    return 'unknown';
  }
}

function gitRaw(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

const git = (args: string[]): string => gitRaw(args).trim();

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function floorFor(rows: Row[], server: FloorSpec['server'], buyers: number, connection: ConnectionMode = 'per-buyer'): FloorRow | undefined {
  return rows.filter(isFloor).find((r) => r.spec.server === server && r.spec.buyers === buyers && r.spec.connection === connection);
}

/** Seconds from the release to the last final answer, "> deadline" when the row did not finish. */
function lastAnswerCell(load: LoadResult, deadlineMs: number): string {
  const t = releaseToLastAnswerMs(load, deadlineMs);
  return t.lowerBound ? `> ${(t.ms / 1000).toFixed(1)} (did not finish)` : (t.ms / 1000).toFixed(2);
}

function timesFloor(load: LoadResult, floorRow: FloorRow | undefined, deadlineMs: number): string {
  if (!floorRow) return '–';
  const t = releaseToLastAnswerMs(load, deadlineMs);
  const f = releaseToLastAnswerMs(floorRow.load, deadlineMs);
  return ratioText(t.ms / f.ms, t.lowerBound);
}

/** The audit of a sale in one cell; an unsettled database after a run that did not finish is not a failure. */
export function auditCell(audit: ReportAudit, unfinished: boolean): { text: string; failed: boolean } {
  if (audit.ok) return { text: 'passed', failed: false };
  const others = audit.violations.filter((v) => !v.startsWith(NOT_SETTLED));
  const unsettled = audit.violations.length > others.length;
  if (others.length === 0 && unsettled && unfinished) {
    const s = audit.settle;
    const detail = s ? `${int(s.pending)} orders pending, ${int(s.held)} holds after ${(s.waitedMs / 1000).toFixed(0)} s more` : 'after the wait';
    return { text: `invariants passed; not settled (${detail})`, failed: false };
  }
  return { text: `**FAILED**: ${others.concat(unsettled ? [audit.violations.find((v) => v.startsWith(NOT_SETTLED))!] : []).join('; ')}`, failed: true };
}

/** Where a profile entry is: its file:line, or for a builtin "(native) via" its nearest caller outside node's own modules. */
function whereCell(e: ProfileTop['entries'][number]): string {
  if (e.location) return `\`${e.location}\``;
  if (e.functionName.startsWith('(')) return '(V8)';
  return e.via ? `(native) via \`${e.via}\`` : '(native)';
}

function hopCell(hop: BatchHop | undefined): string {
  return hop ? `${hop.mean.toFixed(2)} (${int(hop.items)} / ${int(hop.batches)})` : '–';
}

const SERVICES: ServiceName[] = ['api-gateway', 'cart-manager', 'checkout-manager', 'inventory-manager'];
const WORK_QUEUES = ['cart.add', 'cart.checkout', 'checkout.process', 'cart.order-finalized'];

const totalCpu = (cpu: SaleRow['cpu']): number => sum(cpu.map((c) => c.cpuSeconds));

/** CPU seconds of a service's processes ("a + b" for several). */
function cpuOf(cpu: SaleRow['cpu'], service: ServiceName): string {
  return (
    cpu
      .filter((c) => c.name === service)
      .map((c) => c.cpuSeconds.toFixed(1))
      .join(' + ') || '–'
  );
}

function processesCell(processes: Record<string, number>): string {
  return SERVICES.map((s) => String(processes[s] ?? 0)).join(' / ');
}

function shortName(queue: string, prefix: string): string {
  return prefix && queue.startsWith(`${prefix}.`) ? queue.slice(prefix.length + 1) : queue;
}

interface RenderContext {
  title: string;
  /** The load tool's warm-up run before the rows (0: none). */
  warmupMs: number;
  floorRuns: number;
  saleRuns: number;
  startedAt: Date;
  tookMs: number;
  deadlineMs: number;
  command: string;
  commit: string;
  subject: string;
  dirty: string;
}

export function renderSection(rows: Row[], ctx: RenderContext): string {
  const L: string[] = [];
  const floors = rows.filter(isFloor);
  const saleRows = rows.filter(isSale);
  const failed = rows.filter(isFailed);
  L.push(`## ${ctx.title}`, '');
  L.push(
    `Written by \`${ctx.command}\` on ${ctx.startedAt.toISOString()}${scale !== 1 ? ` at BENCH_SCALE=${scale}` : ''}, at commit ${ctx.commit || 'unknown'}${ctx.subject ? ` (${ctx.subject})` : ''}${ctx.dirty ? `, with uncommitted changes in ${ctx.dirty}` : ''}. The whole run took ${(ctx.tookMs / 60_000).toFixed(1)} min. Numbers, not judgements.`,
    '',
  );

  L.push('### Machine, versions, systems', '');
  L.push(`- ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`);
  L.push(`- node ${process.version}; ${version('mariadb', ['--version'])}; RabbitMQ ${version('rabbitmqctl', ['version'])}`);
  L.push(
    `- accept queue: net.core.somaxconn ${sysctl('net/core/somaxconn')}, net.ipv4.tcp_max_syn_backlog ${sysctl('net/ipv4/tcp_max_syn_backlog')} (the gateway and the node:http floor ask for a backlog of 16384; a smaller cap makes a burst of connects wait for 1 s SYN retries: docs/operations.md)`,
  );
  L.push(
    `- the load tool runs in its own process on the same cores${ctx.warmupMs > 0 ? `, warmed up first by ${CLIENT_WARMUPS} node:http floors that are not reported` : ''}; every row on a freshly started system (its own database and queues)`,
  );
  L.push(`- **S = ${SETUP.name}**: ${SETUP.describe}`);
  L.push(`- **T = ${TODAY.name}**: ${TODAY.describe}`);
  L.push(
    '- buyers (every row): one undici client per buyer, all released at once from a barrier; a sale buyer adds its cart, checks out, polls `GET /orders/:id` after a 202 until the order is final, and retries ALL_RESERVED, 429 and 503 after Retry-After (backoff with jitter, at most 30 s); only a final answer counts, timed from the release',
  );
  L.push(
    `- connections: the S rows open a **fresh connection per request** (\`connection: close\`: every request pays a connect and an accept, as 10,000 distinct buyers do; nothing is open before the release); the rows whose id ends in K (S1K, S2K), and the T rows as before issue 8, use a **connection per buyer** (opened and warmed before the release, kept alive for the buyer's requests: 10,000 buyers are 10,000 connections); every floor is measured both ways, and a row's "×" is over the floor measured its way`,
  );
  L.push(`- deadline: ${(ctx.deadlineMs / 1000).toFixed(0)} s from the release; a row past it reports what was answered and "did not finish"; then ${SETTLE_TIMEOUT_MS / 1000} s at most for the orders to settle before the audit`);
  L.push('');

  L.push('### Floors', '');
  L.push(
    `Two GET /healthz per buyer (the first of every buyer at the release, the second when the first is answered). node:http: a plain \`node:http\` server in its own process answering at once (\`tools/bench/floor-server.ts\`); gateway: the api-gateway of system S, freshly started for each run. Each floor ran ${ctx.floorRuns} times, the floors taking turns; each row is its median run (by release → last answer), "every run" lists them all. "open at release": connections the server held at the release (its \`gateway_open_connections\` gauge).`,
    '',
  );
  L.push(
    '| floor | buyers | answered | release → last answer (s) | every run (s) | buyers/s | GET /healthz p50 / p99 (ms) | buyer release → answer p50 / p99 (ms) | open at release | × node:http floor |',
  );
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of floors) {
    const l = r.load;
    const ref = r.spec.server === 'gateway' ? floorFor(rows, 'node:http', r.spec.buyers, r.spec.connection) : undefined;
    L.push(
      `| ${r.spec.name} | ${int(l.buyers)} | ${int(l.answered)} | ${lastAnswerCell(l, ctx.deadlineMs)} | ${[...r.runsMs].sort((a, b) => a - b).map((x) => (x / 1000).toFixed(2)).join(' · ')} | ${int(l.buyersPerSecond)} | ${endpointCell(l, 'healthz')} | ${endpointCell(l, 'buyer')} | ${int(l.peakOpenConnections)} | ${r.spec.server === 'node:http' ? '1' : timesFloor(l, ref, ctx.deadlineMs)} |`,
    );
  }
  L.push('');
  for (const g of floors.filter((r) => r.spec.server === 'gateway')) {
    const ref = floorFor(rows, 'node:http', g.spec.buyers, g.spec.connection);
    if (!ref) continue;
    const t = releaseToLastAnswerMs(g.load, ctx.deadlineMs);
    const f = releaseToLastAnswerMs(ref.load, ctx.deadlineMs);
    const ratio = t.ms / f.ms;
    L.push(
      `- gateway floor ÷ node:http floor, ${int(g.spec.buyers)} buyers, ${CONNECTION_LABEL[g.spec.connection]}: **${ratioText(ratio, t.lowerBound)}** (${(t.ms / 1000).toFixed(2)} s ÷ ${(f.ms / 1000).toFixed(2)} s; bound ${GATEWAY_FLOOR_BOUND}×: ${ratio <= GATEWAY_FLOOR_BOUND && !t.lowerBound ? 'within' : 'over'})`,
    );
  }
  L.push('');

  L.push('### Results', '');
  L.push(
    'Latency cells are p50 / p99 in milliseconds, client side, over the requests and buyers answered (a row that did not finish leaves out the rest). "sold": units buyers were told 200 for (and the count in the database when it differs: buyers who gave up may have bought after all); "answered/s": buyers with a final answer per second from the release to the last answer; "× floor": answered/s over the gateway floor\'s buyers/s (as before issue 8). "release → last answer": from the release to the last final answer ({SALE_RUNS}) (a 202 counts only once polling finds the order final); "× gateway floor" / "× node:http floor": that time over the same for the floor with as many buyers, connected the same way (">" when the row did not finish: the deadline over the floor). processes: api-gateway / cart-manager / checkout-manager / inventory-manager.'.replace(
      '{SALE_RUNS}',
      ctx.saleRuns > 1
        ? `each sale ran ${ctx.saleRuns} times, each on a freshly started system: the row is its median run, every run in parentheses; a run whose audit failed would be the row instead`
        : 'each sale ran once',
    ),
    '',
  );
  L.push(
    '| workload | system | processes | buyers | answered | sold | answered/s | × floor | release → last answer (s) | × gateway floor | × node:http floor | wall (s) | sold out after (s) | POST /addToCart | POST /checkOutCart | GET /orders/:id | buyer release → answer | retries 429/503 | retries ALL_RESERVED | audit |',
  );
  L.push('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of saleRows) {
    const l = r.load;
    const unfinished = didNotFinish(l);
    const gw = floorFor(rows, 'gateway', r.spec.buyers, r.spec.connection);
    const nh = floorFor(rows, 'node:http', r.spec.buyers, r.spec.connection);
    const sold = sum(l.confirmedOrders.map((c) => c.units));
    // Buyers who gave up may have bought after all: the database's count beside the buyers'.
    const dbSold = sum(r.audit.products.map((p) => p.sold));
    L.push(
      `| ${r.spec.id}. ${r.spec.name.replace(/^\d+\. /, '')} | ${r.spec.shape.key} | ${processesCell(r.processes)} | ${int(l.buyers)} | ${int(l.answered)}${unfinished ? ` (${int(l.outcomes.unanswered)} gave up)` : ''} | ${int(sold)}${dbSold !== sold ? ` (database: ${int(dbSold)})` : ''} | ${int(l.buyersPerSecond)} | ${gw ? (l.buyersPerSecond / gw.load.buyersPerSecond).toFixed(3) : '–'} | ${lastAnswerCell(l, ctx.deadlineMs)}${everyRun(r.runsMs)} | ${timesFloor(l, gw, ctx.deadlineMs)} | ${timesFloor(l, nh, ctx.deadlineMs)} | ${(l.wallMs / 1000).toFixed(1)} | ${l.soldOutAtMs === null ? '–' : (l.soldOutAtMs / 1000).toFixed(2)} | ${endpointCell(l, 'addToCart')} | ${endpointCell(l, 'checkOutCart')} | ${endpointCell(l, 'getOrder')} | ${endpointCell(l, 'buyer')} | ${int(sum(Object.values(l.retries)))} | ${int(sum(Object.values(l.allReservedRetries)))} | ${auditCell(r.audit, unfinished).text} |`,
    );
  }
  L.push('');
  L.push('Outcomes (final answers by kind; "gave up": still waiting at the deadline):', '');
  for (const r of saleRows) {
    const o = r.load.outcomes;
    const parts = Object.entries(o)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k.replace('_', ' ')} ${int(v)}`);
    const codes = Object.entries(r.load.codes)
      .filter(([k]) => k !== '')
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${int(v)}`);
    L.push(`- ${r.spec.id}: ${parts.join(', ') || 'none'}${codes.length ? `; codes: ${codes.join(', ')}` : ''}`);
  }
  L.push('');

  L.push('### Peak memory of each service (MB, VmHWM)', '');
  const memCols = [...SERVICES, 'node:http server'];
  L.push(`| row | ${memCols.join(' | ')} |`, `| --- | ${memCols.map(() => '---:').join(' | ')} |`);
  for (const r of [...floors, ...saleRows]) L.push(`| ${r.spec.id}. ${r.spec.name.replace(/^\d+\. /, '')} | ${memCols.map((s) => (r.memoryMb[s] ?? '–').toString()).join(' | ')} |`);
  L.push('', 'Worker figures are the largest of the instances of that service.', '');

  L.push('### Mean batch size of each batching hop', '');
  L.push(
    'Read from every process\'s `/metrics` at the end of each sale: items per batch = `consumer_batch_items_total` ÷ `consumer_batches_total` by queue, summed over the instances (an item is a message, except on checkout.process, where one message carries the pending orders of one checkout batch of the cart manager and an item is an order); inventory calls per coalesced batch = `inventory_coalesced_calls_total` ÷ `inventory_coalesced_batches_total` by op. Cells: mean (items / batches); "–": the services do not export the counter.',
    '',
  );
  const extraQueues = [...new Set(saleRows.flatMap((r) => Object.keys(r.consumerBatches).map((q) => shortName(q, r.queuePrefix))))].filter((q) => !WORK_QUEUES.includes(q)).sort();
  const ops = [...new Set(saleRows.flatMap((r) => Object.keys(r.coalesced)))].sort();
  const hopCols = [...WORK_QUEUES, ...extraQueues];
  L.push(`| workload | ${hopCols.join(' | ')} | ${ops.length ? ops.map((o) => `inventory ${o}`).join(' | ') : 'inventory (coalesced calls)'} |`);
  L.push(`| --- | ${hopCols.map(() => '---:').join(' | ')} | ${(ops.length ? ops : ['x']).map(() => '---:').join(' | ')} |`);
  for (const r of saleRows) {
    const byShort: Record<string, BatchHop> = {};
    for (const [q, hop] of Object.entries(r.consumerBatches)) byShort[shortName(q, r.queuePrefix)] = hop;
    const cells = hopCols.map((q) => (r.metricsRead ? hopCell(byShort[q]) : 'not read'));
    const opCells = ops.length ? ops.map((o) => hopCell(r.coalesced[o])) : ['–'];
    L.push(`| ${r.spec.id} | ${cells.join(' | ')} | ${opCells.join(' | ')} |`);
  }
  L.push('');

  L.push('### CPU time of each process', '');
  L.push('User + system CPU seconds of each process over its life (start, sale, settle), from /proc/<pid>/stat just before the stop; measured runs (no profiler).', '');
  L.push(`| workload | ${SERVICES.join(' | ')} | busiest |`, `| --- | ${SERVICES.map(() => '---:').join(' | ')} | --- |`);
  for (const r of saleRows) L.push(`| ${r.spec.id} | ${SERVICES.map((svc) => cpuOf(r.cpu, svc)).join(' | ')} | ${r.cpu[0] ? `${r.cpu[0].name} (${r.cpu[0].cpuSeconds.toFixed(1)} s)` : '–'} |`);
  L.push('');

  const profiled = saleRows.filter((r) => r.profiled);
  L.push('### CPU profile of the busiest process', '');
  L.push(
    `${profiled.length ? `${profiled.map((r) => r.spec.id).join(', ')} ran a second time` : 'No row ran a second time'} with every service under \`node --cpu-prof\` (sampling every 1 ms; the profiler costs the services CPU, up to 40% more in a first full run, so these runs are not the measured ones: their own time and CPU seconds are given with each, beside the measured run's). The busiest process is the one with the most CPU seconds; its top ${PROFILE_TOP} functions by self time (summed over the samples; idle time left out; TypeScript lines through the source maps; "(native) via": a builtin with no source, such as \`writeBuffer\` (a write on a socket or a file), named by its nearest caller outside node's own modules; "% of not idle": of the samples where the thread was not idle, the profiler sampling wall time, so a thread waiting for a core counts where it stands).`,
    '',
  );
  for (const r of profiled) {
    const run = r.profiled!;
    L.push(`#### ${r.spec.id}. ${r.spec.name.replace(/^\d+\. /, '')} (${r.spec.shape.name})`, '');
    L.push(
      `Profiled run: ${int(run.load.answered)} of ${int(run.load.buyers)} answered, release → last answer ${lastAnswerCell(run.load, ctx.deadlineMs)} s (measured run: ${lastAnswerCell(r.load, ctx.deadlineMs)} s); CPU s ${SERVICES.map((svc) => `${svc} ${cpuOf(run.cpu, svc)}`).join(', ')}; all processes ${totalCpu(run.cpu).toFixed(1)} CPU s (measured run: ${totalCpu(r.cpu).toFixed(1)}).`,
      '',
    );
    if ('error' in run.profile) {
      L.push(`No profile: ${run.profile.error}.`, '');
      continue;
    }
    const p = run.profile;
    const busyS = (p.top.totalMs - p.top.idleMs) / 1000;
    L.push(`Busiest: ${p.process} (pid ${p.pid}), ${p.cpuSeconds.toFixed(1)} CPU s; its profile is ${(p.top.totalMs / 1000).toFixed(1)} s long, ${busyS.toFixed(1)} s of it not idle. \`${path.relative(ROOT, p.file)}\``, '');
    L.push('| # | function | where | self (ms) | % of not idle |', '| ---: | --- | --- | ---: | ---: |');
    p.top.entries.forEach((e, i) => L.push(`| ${i + 1} | \`${e.functionName}\` | ${whereCell(e)} | ${int(e.selfMs)} | ${e.percent.toFixed(1)} |`));
    L.push('');
  }

  if (failed.length > 0) {
    L.push('### Rows that could not run', '');
    for (const f of failed) L.push(`- ${f.spec.id}. ${f.spec.name}: ${f.error}`);
    L.push('');
  }

  L.push('### How long each row took', '');
  L.push(
    `${ctx.warmupMs > 0 ? `warm-up of the load tool ${(ctx.warmupMs / 1000).toFixed(0)} s, ` : ''}${rows.map((r) => `${r.spec.id} ${((r.benchMs + (isSale(r) && r.profiled ? r.profiled.benchMs : 0)) / 1000).toFixed(0)} s`).join(', ')} (start, load, settle, audit and stop of each; a floor: all its runs; a profiled row: both runs). Total ${(ctx.tookMs / 60_000).toFixed(1)} min.`,
  );
  return L.join('\n');
}

const HEADER = [
  '# Benchmarks',
  '',
  'Written by `npm run bench` (`tools/bench/bench.ts`). Each run writes one section between `<!-- bench:begin <id> -->` and `<!-- bench:end <id> -->`: `npm run bench` replaces **latest**; `npm run bench -- --section <id> --title "<title>"` writes its own section, which later runs leave alone. A file written before sections existed is kept as the section `earlier`. Raw results and the CPU profiles of each run stay in `.run/bench/<date>/`.',
].join('\n');

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const db = loadDb();
  const startedAt = new Date();
  const t0 = performance.now();
  const runDir = path.join(ROOT, '.run', 'bench', startedAt.toISOString().replace(/[:.]/g, '-'));
  mkdirSync(runDir, { recursive: true });
  const specs = SPECS.filter((s) => !args.only || args.only.has(s.id));
  if (specs.length === 0) throw new Error(`--only matches no row (rows: ${SPECS.map((s) => s.id).join(', ')})`);
  say(`bench: ${specs.length} rows, deadline ${args.deadlineMs / 1000} s, run dir ${runDir}`);

  let warmupMs = 0;
  const floorSpecs = specs.filter((spec): spec is FloorSpec => spec.kind === 'floor');
  if (!args.noWarmup && floorSpecs.length > 0) {
    const start = performance.now();
    for (let k = 1; k <= CLIENT_WARMUPS; k++) {
      say(`\n== warm-up ${k} of the load tool (not reported): ${int(n(10_000))} buyers x 2 GET /healthz on node:http`);
      await runNodeHttpFloor(floor('W', 'node:http', n(10_000), 'per-buyer'), args.deadlineMs);
    }
    warmupMs = performance.now() - start;
  }

  // The floors, round by round (each floor once per round), so drift on the machine spreads over all of them.
  const floorRuns = new Map<string, { runs: FloorRun[]; errors: string[]; ms: number }>(floorSpecs.map((f) => [f.id, { runs: [], errors: [], ms: 0 }]));
  for (let round = 1; round <= args.floorRuns; round++) {
    for (const spec of floorSpecs) {
      say(`\n== ${spec.id}. ${spec.name} (run ${round} of ${args.floorRuns})`);
      const acc = floorRuns.get(spec.id)!;
      const start = performance.now();
      try {
        const run = spec.server === 'gateway' ? await runGatewayFloor(spec, db, args.deadlineMs) : await runNodeHttpFloor(spec, args.deadlineMs);
        acc.runs.push(run);
        say(`   ${int(run.load.answered)} of ${int(run.load.buyers)} answered; release → last answer ${lastAnswerCell(run.load, args.deadlineMs)} s`);
      } catch (err) {
        say(`   FAILED: ${(err as Error).stack ?? String(err)}`);
        acc.errors.push((err as Error).message);
      }
      acc.ms += performance.now() - start;
    }
  }

  const rows: Row[] = [];
  for (const spec of floorSpecs) {
    const { runs, errors, ms } = floorRuns.get(spec.id)!;
    if (runs.length === 0 || errors.length > 0) {
      rows.push({ spec, error: `${errors.length} of ${args.floorRuns} runs failed: ${errors.join('; ')}`, benchMs: ms });
      continue;
    }
    const median = medianRun(
      runs.map((r) => r.load),
      args.deadlineMs,
    );
    const memoryMb: Record<string, number> = {};
    for (const r of runs) for (const [k, v] of Object.entries(r.memoryMb)) memoryMb[k] = Math.max(memoryMb[k] ?? 0, v);
    rows.push({ spec, load: median, runsMs: runs.map((r) => releaseToLastAnswerMs(r.load, args.deadlineMs).ms), memoryMb, processes: runs[0]!.processes, benchMs: ms });
  }

  for (const spec of specs.filter((sp): sp is SaleSpec => sp.kind === 'sale')) {
    say(`\n== ${spec.id}. ${spec.name} [${spec.shape.name}]`);
    const start = performance.now();
    try {
      const runs: Omit<SaleRow, 'benchMs' | 'runsMs'>[] = [];
      for (let round = 1; round <= args.saleRuns; round++) {
        if (args.saleRuns > 1) say(`   run ${round} of ${args.saleRuns}`);
        runs.push(await runSaleRow(spec, db, args.deadlineMs, null));
      }
      // The median run by release → last answer; but a run whose audit failed is the row, whatever its time.
      const failed = runs.find((r) => !r.audit.ok);
      const median = medianRun(runs.map((r) => r.load), args.deadlineMs);
      const chosen = failed ?? runs.find((r) => r.load === median)!;
      const runsMs = runs.map((r) => releaseToLastAnswerMs(r.load, args.deadlineMs).ms);
      const row: SaleRow = { ...chosen, runsMs, benchMs: performance.now() - start };
      rows.push(row);
      const l = row.load;
      say(`   ${int(l.answered)} of ${int(l.buyers)} answered; release → last answer ${lastAnswerCell(l, args.deadlineMs)} s; row took ${(row.benchMs / 1000).toFixed(0)} s`);
      say(`   audit: ${auditCell(row.audit, didNotFinish(l)).text}; busiest: ${row.cpu[0] ? `${row.cpu[0].name} ${row.cpu[0].cpuSeconds.toFixed(1)} s` : '–'}`);
    } catch (err) {
      say(`   FAILED: ${(err as Error).stack ?? String(err)}`);
      rows.push({ spec, error: (err as Error).message, benchMs: performance.now() - start });
    }
  }
  // The profiled runs, after every measured one.
  for (const row of rows.filter(isSale).filter((r) => args.profile.has(r.spec.id))) {
    say(`\n== ${row.spec.id} again, every service under --cpu-prof (not measured)`);
    const start = performance.now();
    try {
      const run = await runSaleRow(row.spec, db, args.deadlineMs, runDir);
      row.profiled = { load: run.load, audit: run.audit, cpu: run.cpu, profile: busiestProfile(run.cpu), benchMs: performance.now() - start };
      say(`   ${int(run.load.answered)} answered; release → last answer ${lastAnswerCell(run.load, args.deadlineMs)} s; busiest ${run.cpu[0]?.name ?? '–'}`);
    } catch (err) {
      say(`   FAILED: ${(err as Error).stack ?? String(err)}`);
      rows.push({ spec: { ...row.spec, id: `${row.spec.id}p`, name: `${row.spec.name} (profiled run)` }, error: (err as Error).message, benchMs: performance.now() - start });
    }
  }
  const tookMs = performance.now() - t0;

  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = gitRaw(['status', '--porcelain', '--untracked-files=no'])
    .split('\n')
    .map((l) => l.slice(3).trim())
    .filter((f) => f !== '' && f !== 'BENCHMARKS.md')
    .join(', ');
  const argv = process.argv.slice(2).map((a) => (/^[\w./,=:-]+$/.test(a) ? a : `"${a.replace(/"/g, '\\"')}"`));
  const command = `npm run build && ${scale !== 1 ? `BENCH_SCALE=${scale} ` : ''}npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const title = args.title.replace(/\{commit\}/g, commit || 'unknown').replace(/\{date\}/g, startedAt.toISOString().slice(0, 10));
  const section = renderSection(rows, { title, warmupMs, floorRuns: args.floorRuns, saleRuns: args.saleRuns, startedAt, tookMs, deadlineMs: args.deadlineMs, command, commit, subject: git(['log', '-1', '--format=%s']), dirty });

  writeFileSync(path.join(runDir, 'bench.json'), JSON.stringify(rows.map((r) => (isFailed(r) ? r : { ...r, load: { ...r.load, confirmedOrders: r.load.confirmedOrders.length } })), null, 1));
  const previous = existsSync(args.out) ? readFileSync(args.out, 'utf8') : '';
  writeFileSync(args.out, upsertSection(previous, HEADER, args.section, section));
  process.stdout.write(`${section}\n\nwritten: section ${args.section} of ${args.out}; raw results and profiles: ${runDir}\n`);

  const auditFailed = rows
    .filter(isSale)
    .some((r) => auditCell(r.audit, didNotFinish(r.load)).failed || (r.profiled !== undefined && auditCell(r.profiled.audit, didNotFinish(r.profiled.load)).failed));
  if (rows.some(isFailed)) process.exitCode = 2;
  else if (auditFailed) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
    process.exit(2);
  });
}

/** A kernel setting from /proc/sys, or "?" where it cannot be read. */
function sysctl(name: string): string {
  try {
    return readFileSync(`/proc/sys/${name}`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** " (a · b · c)": every run of a sale, in seconds, sorted, when it ran more than once. */
function everyRun(runsMs: readonly number[]): string {
  return runsMs.length > 1 ? ` (${[...runsMs].sort((a, b) => a - b).map((x) => (x / 1000).toFixed(2)).join(' · ')})` : '';
}
