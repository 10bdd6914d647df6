/**
 * npm run bench:reserve: Reserve on ONE hot product with many calls in flight,
 * coalesced into batch transactions vs one transaction per call, measured
 *   - in-process: the inventory manager's reservation service called directly,
 *     both modes on the same pool, in the same run;
 *   - through gRPC: two inventory manager processes (INVENTORY_COALESCE=true
 *     and false) on the same database, driven by this process's gRPC client,
 *     first with single Reserve calls, then with ReserveBatch calls of
 *     `--batch-call` orders (the checkout manager's way), the same orders in flight.
 * Each run is a closed loop: `--in-flight` orders in flight, each caller
 * sending its next call (fresh order ids, one unit each) as soon as the
 * previous one answered, for `--seconds`. Stock is plentiful, so every call is a grant: the rate is
 * reservations/s. The database is audited at the end (conservation, ledger,
 * reserved = held lines). Build first: npm run build && npm run bench:reserve.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createPool, type Pool } from '../../common/src/db';
import { AppError } from '../../common/src/errors';
import { createInventoryClient } from '../../common/src/inventory-client';
import { createLogger } from '../../common/src/logger';
import { createReservationService, type ReservationService } from '../../inventory-manager/src/bench';
import { LocalSystem } from '../lib/system';

interface Options {
  inFlight: number;
  seconds: number;
  pool: number;
  batchMax: number;
  /** Orders per ReserveBatch call in the batch-RPC rows. */
  batchCall: number;
}

interface RunResult {
  path: 'in-process' | 'gRPC' | `gRPC ReserveBatch of ${number}`;
  coalesced: boolean;
  granted: number;
  failed: number;
  seconds: number;
  p50: number;
  p99: number;
  /** Mean calls per transaction, when coalescing. */
  meanBatch: number | null;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      'in-flight': { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '5' },
      pool: { type: 'string', default: '10' },
      'batch-max': { type: 'string', default: '200' },
      'batch-call': { type: 'string', default: '50' },
    },
  });
  const n = (name: string, v: string | undefined) => {
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0) throw new Error(`--${name} must be a positive number, got ${v}`);
    return x;
  };
  return {
    inFlight: Math.round(n('in-flight', values['in-flight'])),
    seconds: n('seconds', values.seconds),
    pool: Math.round(n('pool', values.pool)),
    batchMax: Math.round(n('batch-max', values['batch-max'])),
    batchCall: Math.round(n('batch-call', values['batch-call'])),
  };
}

/**
 * A closed loop for `seconds`: callers each send their next call as soon as the
 * previous one answered, so that `o.inFlight` orders are always in flight. A
 * call reserves one unit for each of `perCall` fresh orders (1: Reserve; more:
 * ReserveBatch) and says how many it was granted.
 */
async function drive(
  run: Pick<RunResult, 'path' | 'coalesced'>,
  reserve: (orderIds: string[]) => Promise<number>,
  o: Options,
  meanBatch: () => number | null,
  perCall = 1,
): Promise<RunResult> {
  const latencies: number[] = [];
  let granted = 0;
  let failed = 0;
  let firstError: unknown = null;
  const started = performance.now();
  const deadline = started + o.seconds * 1000;
  const caller = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const got = await reserve(Array.from({ length: perCall }, () => randomUUID()));
        granted += got;
        failed += perCall - got;
      } catch (err) {
        failed += perCall;
        firstError ??= err;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.round(o.inFlight / perCall)) }, caller));
  const seconds = (performance.now() - started) / 1000;
  if (firstError) process.stderr.write(`   ${failed} orders failed, the first with: ${String(firstError)}\n`);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { ...run, granted, failed, seconds, p50: at(0.5), p99: at(0.99), meanBatch: meanBatch() };
}

/** A short closed loop first, not counted: connections opened, code warm. */
async function warmUp(reserve: (orderIds: string[]) => Promise<number>, o: Options, perCall = 1): Promise<void> {
  await drive({ path: 'in-process', coalesced: false }, reserve, { ...o, seconds: Math.min(1, o.seconds / 5) }, () => null, perCall);
}

const modeName = (coalesced: boolean) => (coalesced ? 'coalesced' : 'one transaction per call');

function batchMeter(service: ReservationService): () => number | null {
  const stats = service.coalesced?.reserve;
  if (!stats) return () => null;
  const before = { ...stats };
  return () => (stats.batches > before.batches ? (stats.calls - before.calls) / (stats.batches - before.batches) : null);
}

/** inventory_coalesced_{batches,calls}_total{op="reserve"} from an inventory manager's /metrics. */
async function reserveCounters(opsPort: number): Promise<{ batches: number; calls: number }> {
  const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
  const read = (name: string) => {
    const match = new RegExp(`^${name}\\{[^}]*op="reserve"[^}]*\\} (\\d+)`, 'm').exec(text);
    return match ? Number(match[1]) : 0;
  };
  return { batches: read('inventory_coalesced_batches_total'), calls: read('inventory_coalesced_calls_total') };
}

async function inProcess(system: LocalSystem, o: Options): Promise<RunResult[]> {
  const pool: Pool = createPool(system.database.config, o.pool);
  const log = createLogger('reserve-bench', 'warn');
  const results: RunResult[] = [];
  try {
    for (const coalesce of [false, true]) {
      const service = createReservationService(pool, log, { coalesce, maxBatch: o.batchMax, reservationTtlMs: 600_000 });
      const productId = `bench-inproc-${coalesce ? 'coalesced' : 'per-call'}`;
      await system.seed({ productId, stock: 100_000_000 });
      const reserve = async ([orderId]: string[]) => (await service.reserve(orderId!, [{ productId, quantity: 1 }]), 1);
      process.stderr.write(`== in-process, ${modeName(coalesce)}\n`);
      await warmUp(reserve, o);
      results.push(await drive({ path: 'in-process', coalesced: coalesce }, reserve, o, batchMeter(service)));
      await service.drain();
    }
  } finally {
    await pool.end();
  }
  return results;
}

async function overGrpc(system: LocalSystem, o: Options): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const coalesce of [false, true]) {
    const proc = await system.startService('inventory-manager', {
      INVENTORY_COALESCE: String(coalesce),
      INVENTORY_BATCH_MAX: String(o.batchMax),
      DB_POOL_SIZE: String(o.pool),
      SWEEP_INTERVAL_MS: '0',
      LOG_LEVEL: 'warn',
    });
    const client = createInventoryClient(`127.0.0.1:${proc.port}`, { timeoutMs: 60_000, attempts: 1 });
    try {
      // Single Reserve calls, then ReserveBatch calls of `batchCall` orders: the same orders in flight.
      for (const perCall of [1, o.batchCall]) {
        const path: RunResult['path'] = perCall === 1 ? 'gRPC' : `gRPC ReserveBatch of ${perCall}`;
        const productId = `bench-${perCall === 1 ? 'grpc' : 'grpc-batch'}-${coalesce ? 'coalesced' : 'per-call'}`;
        await system.seed({ productId, stock: 100_000_000 });
        const reserve =
          perCall === 1
            ? async ([orderId]: string[]) => (await client.reserve(orderId!, [{ productId, quantity: 1 }]), 1)
            : async (orderIds: string[]) =>
                (await client.reserveBatch(orderIds.map((orderId) => ({ orderId, items: [{ productId, quantity: 1 }] })))).filter((r) => !(r instanceof AppError)).length;
        process.stderr.write(`== ${path}, ${modeName(coalesce)}\n`);
        await warmUp(reserve, o, perCall);
        const before = await reserveCounters(proc.opsPort!);
        const result = await drive({ path, coalesced: coalesce }, reserve, o, () => null, perCall);
        const after = await reserveCounters(proc.opsPort!);
        if (after.batches > before.batches) result.meanBatch = (after.calls - before.calls) / (after.batches - before.batches);
        results.push(result);
      }
    } finally {
      client.close();
      await system.kill(proc, 'SIGTERM');
    }
  }
  return results.sort((x, y) => (x.path === y.path ? 0 : x.path === 'gRPC' ? -1 : y.path === 'gRPC' ? 1 : 0));
}

function table(rows: RunResult[], o: Options): string {
  const rate = (r: RunResult) => r.granted / r.seconds;
  const fmt = (x: number, digits = 0) => x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const baseline = (r: RunResult) => rows.find((b) => b.path === r.path && !b.coalesced) ?? r;
  const lines = [
    `Reserve, one hot product, ${fmt(o.inFlight)} orders in flight, ${o.seconds} s per run, pool ${o.pool}, batch bound ${o.batchMax}`,
    '',
    '| path | reservations | failed | reservations/s | × one per call | mean batch | p50 ms | p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => {
      const base = baseline(r);
      // (p50 / p99 are per call: a ReserveBatch call carries its orders together.)
      return `| ${r.path}, ${modeName(r.coalesced)} | ${fmt(r.granted)} | ${fmt(r.failed)} | ${fmt(rate(r))} | ${fmt(rate(r) / rate(base), 1)} | ${r.meanBatch === null ? '–' : fmt(r.meanBatch, 1)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} |`;
    }),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const system = await LocalSystem.start({ inventoryOnly: true, serviceEnv: { 'inventory-manager': { SWEEP_INTERVAL_MS: '0', LOG_LEVEL: 'warn' } } });
  try {
    const rows = [...(await inProcess(system, o)), ...(await overGrpc(system, o))];
    const audit = await system.audit(false);
    process.stdout.write(`\n${table(rows, o)}\n\naudit: ${audit.ok ? 'passed' : `FAILED\n${audit.violations.join('\n')}`}\n`);
    if (!audit.ok) process.exitCode = 1;
  } finally {
    await system.stop();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
