/**
 * npm run flash-sale -- --buyers 10000 --stock 10 [--products 1 --quantity 1]
 *   [--start [--workers 2] [--decline-rate 0 --payment-latency-ms 0 --ttl-ms 120000]]
 *   [--chaos none|workers|inventory|broker] [--json report.json] [--html report.html]
 *   [--deadline-ms 300000] [--connection per-buyer|per-request]
 *
 * Drives real buyers over HTTP against a system already up (./setup.sh), or one
 * it starts itself (--start; chaos modes always start their own), then audits
 * the database and prints a report. Exits non-zero on any violation.
 * --audit-only audits the database (DB_* env) and nothing else.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { auditDatabase, waitUntilSettled } from '../../db/audit';
import { dbEnv, loadConfig, queuePrefix } from '../../common/src/config';
import { createPool, type Pool } from '../../common/src/db';
import { topologyFor } from '../../common/src/amqp/topology';
import { seedProducts } from '../../inventory-manager/src/seed';
import { BrokerAdmin } from '../lib/broker-admin';
import { readGauge } from '../lib/http';
import { amqpUrlFromEnv } from '../lib/infrastructure';
import { freeLowPort } from '../lib/ports';
import { PrivateBroker } from '../lib/private-broker';
import { LocalSystem } from '../lib/system';
import { type CartLine, CONNECTION_MODES, type LoadResult, runBuyers } from './buyers';
import { Chaos, type ChaosMode } from './chaos';
import { renderHtml } from './html-report';
import { createProgress } from './progress';
import { formatReport, type ReportAudit, type ReportInput, summarizeReport, toJson } from './report';

const optionsSchema = z.object({
  buyers: z.coerce.number().int().min(1).max(20_000).default(1_000),
  stock: z.coerce.number().int().min(0).max(10_000_000).default(10),
  products: z.coerce.number().int().min(1).max(1_000).default(1),
  quantity: z.coerce.number().int().min(1).max(100).default(1),
  /** "1-5": each buyer's cart holds that many distinct random products (needs --products >= max). */
  'cart-size': z
    .string()
    .regex(/^\d+(-\d+)?$/, 'N or MIN-MAX')
    .default('1'),
  'decline-rate': z.coerce.number().min(0).max(1).default(0),
  'payment-latency-ms': z.coerce.number().int().min(0).max(600_000).default(0),
  'ttl-ms': z.coerce.number().int().min(100).default(120_000),
  chaos: z.enum(['none', 'workers', 'inventory', 'broker']).default('none'),
  'chaos-interval-ms': z.coerce.number().int().min(200).default(2_500),
  start: z.boolean().default(false),
  workers: z.coerce.number().int().min(1).max(8).default(2),
  gateway: z.string().url().default('http://127.0.0.1:5003'),
  'queue-prefix': queuePrefix,
  json: z.string().optional(),
  html: z.string().optional(),
  'no-progress': z.boolean().default(false),
  'retry-all-reserved': z.boolean().default(false),
  'settle-timeout-ms': z.coerce.number().int().min(1_000).default(180_000),
  keep: z.boolean().default(false),
  'audit-only': z.boolean().default(false),
  /** Benchmark floor: each buyer sends two GET /healthz instead of buying. */
  floor: z.boolean().default(false),
  /** From the release: buyers still waiting then give up (unanswered, code DEADLINE). */
  'deadline-ms': z.coerce.number().int().min(1_000).max(3_600_000).default(300_000),
  /** per-buyer: one kept-alive connection per buyer, open before the release; per-request: a fresh connection for every request. */
  connection: z.enum(CONNECTION_MODES).default('per-buyer'),
  'broker-port': z.coerce.number().int().min(1_024).max(32_767).default(5_679),
});

export type Options = z.infer<typeof optionsSchema>;

/** Every option at its default, for callers that build options in code (the benchmark). */
export function defaultOptions(overrides: Partial<Options> = {}): Options {
  return { ...optionsSchema.parse({}), ...overrides };
}

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: Object.fromEntries(
      Object.keys(optionsSchema.shape).map((k) => [
        k,
        { type: ['start', 'no-progress', 'retry-all-reserved', 'keep', 'audit-only', 'floor'].includes(k) ? 'boolean' : 'string' },
      ]),
    ) as Record<string, { type: 'string' | 'boolean' }>,
  });
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
  const o = parsed.data;
  const [, max] = cartRange(o['cart-size']);
  if (max > o.products) throw new Error(`--cart-size ${o['cart-size']} needs --products >= ${max}`);
  return o;
}

function cartRange(spec: string): [number, number] {
  const [a, b] = spec.split('-').map(Number);
  return [a!, b ?? a!];
}

const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  const db = loadConfig(z.object(dbEnv));
  if (o['audit-only']) return auditOnly(db);
  const { input, ok } = await runSale(o, db);
  process.stdout.write(`${formatReport(input)}\n`);
  if (o.json) writeFileSync(o.json, toJson(input));
  if (o.html) writeFileSync(o.html, renderHtml(input));
  if (o.json || o.html) say(`written: ${[o.json, o.html].filter(Boolean).join(', ')}`);
  if (input.chaos?.note) say(`WARNING: ${input.chaos.note}`);
  return ok ? 0 : 1;
}

type DbOptions = z.infer<z.ZodObject<typeof dbEnv>>;

/** What a caller in code (the benchmark) adds to a sale with --start. */
export interface SaleHooks {
  /**
   * The services get only the settings the options name (payment latency, decline rate and seed) and keep
   * their own defaults for everything else, as ./setup.sh starts them; without it the tool also lengthens
   * the delivery limit and shortens the reconciler for its chaos runs.
   */
  serviceDefaults?: boolean;
  /** Run every service under --cpu-prof, profiles written here (see LocalSystem). */
  cpuProfileDir?: string;
  /** The system once it is up (it stays readable after the sale: processes, CPU seconds, profiles). */
  onSystem?: (system: LocalSystem) => void;
  /** After the audit, before the system is stopped (e.g. read every service's /metrics). */
  beforeStop?: (system: LocalSystem) => Promise<void>;
}

/** One sale (or floor run), start to audit: the CLI and the benchmark share it. */
export async function runSale(o: Options, db: DbOptions, hooks: SaleHooks = {}): Promise<{ input: ReportInput; ok: boolean }> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const startOwn = o.start || o.chaos !== 'none';
  if (!startOwn && (o['decline-rate'] > 0 || o['payment-latency-ms'] > 0)) {
    say('note: --decline-rate and --payment-latency-ms apply only to a system this tool starts (--start); the running one keeps its own settings');
  }

  let system: LocalSystem | null = null;
  let broker: PrivateBroker | null = null;
  let pool: Pool;
  let gatewayUrl = o.gateway;
  let prefix = o['queue-prefix'];
  let inventoryPort: number | undefined;
  try {
    if (startOwn) {
      if (o.chaos === 'broker') {
        broker = new PrivateBroker({ port: o['broker-port'] });
        say(`starting a private RabbitMQ node ${broker.node} on port ${broker.port}`);
        await broker.create();
      }
      inventoryPort = o.chaos === 'inventory' ? await freeLowPort() : undefined;
      say(`starting the system: ${o.workers} cart and ${o.workers} checkout managers${o.chaos !== 'none' ? `, chaos ${o.chaos}` : ''}`);
      const chosen = { PAYMENT_LATENCY_MS: String(o['payment-latency-ms']), PAYMENT_DECLINE_RATE: String(o['decline-rate']), PAYMENT_SEED: runId };
      system = await LocalSystem.start({
        dbName: `flashsale_sale_${runId}`,
        keepDatabase: o.keep,
        amqpUrl: broker?.url,
        inventoryPort,
        cartWorkers: o.workers,
        checkoutWorkers: o.workers,
        cpuProfileDir: hooks.cpuProfileDir,
        env: hooks.serviceDefaults
          ? chosen
          : {
              ...chosen,
              RESERVATION_TTL_MS: String(o['ttl-ms']),
              // Generous, so kills and broker restarts never dead-letter a healthy message.
              AMQP_DELIVERY_LIMIT: '50',
              RECONCILE_AFTER_MS: String(Math.max(60_000, o['ttl-ms'] * 2)),
              RECONCILE_INTERVAL_MS: '5000',
              LOG_LEVEL: 'info',
            },
      });
      hooks.onSystem?.(system);
      pool = system.pool;
      gatewayUrl = system.gatewayUrl;
      prefix = system.queuePrefix;
      say(`system up: gateway ${gatewayUrl}, database ${system.dbName}, logs ${system.logDir}`);
    } else {
      pool = createPool(db, 4);
    }

    const productIds = Array.from({ length: o.products }, (_, k) => `sale-${runId}-${k + 1}`);
    await seedProducts(
      pool,
      productIds.map((id) => ({ productId: id, name: `Flash sale ${runId} #${id.split('-').pop()}`, stock: o.stock, priceCents: 1999, dealPriceCents: 999, dealStartsAt: new Date(Date.now() - 60_000), dealEndsAt: new Date(Date.now() + 30 * 60_000) })),
    );
    say(`seeded ${o.products} product(s) x ${o.stock} units; ${o.buyers} buyers`);

    const [minCart, maxCart] = cartRange(o['cart-size']);
    const cartOf = (_buyer: number): CartLine[] => {
      const size = minCart + Math.floor(Math.random() * (maxCart - minCart + 1));
      const picked = new Set<string>();
      while (picked.size < size) picked.add(productIds[Math.floor(Math.random() * productIds.length)]!);
      return [...picked].map((productID) => ({ productID, quantity: o.quantity }));
    };

    const chaos = system ? new Chaos(o.chaos as ChaosMode, system, { intervalMs: o['chaos-interval-ms'], broker: broker ?? undefined, inventoryPort, log: say }) : null;
    const progress = createProgress(o.buyers, !o['no-progress'] && process.stderr.isTTY === true);
    const startedAt = new Date().toISOString();
    let load: LoadResult;
    try {
      load = await runBuyers({
        gatewayUrl,
        buyers: o.buyers,
        cartOf,
        clientPrefix: `buyer-${runId}`,
        retryAllReserved: o['retry-all-reserved'],
        floor: o.floor,
        deadlineMs: o['deadline-ms'],
        connection: o.connection,
        openConnections: () => openConnections(gatewayUrl),
        onProgress: (p) => {
          progress.update(p);
          if (p.phase === 'sale') chaos?.start();
        },
      });
    } finally {
      progress.stop();
    }
    const chaosSummary = await chaos?.stop();

    say('sale over: waiting until no order is pending and no unit is held');
    const settleStart = Date.now();
    const settle = await waitUntilSettled(pool, o['settle-timeout-ms']);
    // Unsettled, the invariants that hold at every moment are still checked; the final ones cannot be yet.
    const dbAudit = await auditDatabase(pool, { final: settle.settled });
    const audit: ReportAudit = { ...dbAudit, violations: [...dbAudit.violations], settle: { ...settle, waitedMs: Date.now() - settleStart } };
    if (!settle.settled) audit.violations.push(`${NOT_SETTLED} after ${o['settle-timeout-ms']} ms (${settle.pending} orders pending, ${settle.held} units held)`);
    const deadLetters = await new BrokerAdmin(system?.amqpUrl ?? amqpUrlFromEnv(), topologyFor(prefix)).deadLetterDepth();
    if (deadLetters > 0) audit.violations.push(`${deadLetters} message(s) in the dead-letter queue ${topologyFor(prefix).deadLetterQueue}`);
    auditAgainstAnswers(load, audit, productIds, o.stock);
    // The database may hold other sales (a system ./setup.sh started): the
    // invariants above are checked over all of it, the counts below are this run's.
    const runOrders = await ordersOfClients(pool, `buyer-${runId}-`);
    audit.ok = audit.violations.length === 0;
    if (system && hooks.beforeStop) await hooks.beforeStop(system);

    const input: ReportInput = {
      meta: {
        startedAt,
        options: { ...o },
        machine: { cpus: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.release()}`, memoryGb: Math.round(os.totalmem() / 2 ** 30) },
        runId,
        database: system?.dbName ?? db.DB_NAME,
        queuePrefix: prefix,
        peakMemoryMb: system?.peakMemoryMb(),
      },
      load,
      audit: { ...audit, orders: runOrders, products: audit.products.filter((p) => productIds.includes(p.productId)) },
      chaos: chaosSummary,
    };
    return { input, ok: summarizeReport(input).ok };
  } finally {
    if (system) await system.stop().catch((err: unknown) => say(`stopping the system failed: ${(err as Error).message}`));
    else await pool!?.end().catch(() => undefined);
    if (broker) await broker.destroy();
  }
}

/** The start of the violation an unsettled database adds (the benchmark tells it from the others). */
export const NOT_SETTLED = 'not settled';

/**
 * The HTTP answers and the database must tell the same story. Buyers who gave up (the deadline) may have
 * bought after all: then every unit a buyer was told 200 for must be sold, and the database may have sold more.
 */
function auditAgainstAnswers(load: LoadResult, audit: ReportAudit, productIds: string[], stock: number): void {
  const sold = audit.products.filter((p) => productIds.includes(p.productId)).reduce((n, p) => n + p.sold, 0);
  const answeredUnits = load.confirmedOrders.reduce((n, c) => n + c.units, 0);
  const everyoneAnswered = load.outcomes.unanswered === 0 && load.outcomes.error === 0;
  if (everyoneAnswered ? sold !== answeredUnits : sold < answeredUnits) audit.violations.push(`the database sold ${sold} units but buyers were told 200 for ${answeredUnits}`);
  if (sold > stock * productIds.length) audit.violations.push(`oversold: ${sold} units of ${stock * productIds.length}`);
}

async function ordersOfClients(pool: Pool, clientPrefix: string): Promise<ReportAudit['orders']> {
  const [rows] = await pool.query<import('mysql2').RowDataPacket[]>(
    'SELECT status, COUNT(*) AS n FROM orders WHERE client_id LIKE ? GROUP BY status',
    [`${clientPrefix}%`],
  );
  const orders = { pending: 0, confirmed: 0, failed: 0 };
  for (const r of rows) orders[r.status as keyof typeof orders] = Number(r.n);
  return orders;
}

/** The gateway's open connections now (its gateway_open_connections gauge; 0 when absent). */
async function openConnections(gatewayUrl: string): Promise<number> {
  return (await readGauge(`${gatewayUrl}/metrics`, 'gateway_open_connections', 5_000)) ?? 0;
}

async function auditOnly(db: DbOptions): Promise<number> {
  const pool = createPool(db, 2);
  try {
    const audit = await auditDatabase(pool, { final: true });
    if (audit.ok) {
      process.stdout.write(`audit passed: database ${db.DB_NAME}, ${audit.products.length} products, ${audit.orders.confirmed} confirmed orders\n`);
      return 0;
    }
    process.stdout.write(`AUDIT FAILED: database ${db.DB_NAME}\n${audit.violations.map((v) => `- ${v}`).join('\n')}\n`);
    return 1;
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`flash-sale failed: ${(err as Error).message}\n`);
      process.exit(2);
    },
  );
}
