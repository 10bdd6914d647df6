/**
 * Starts the real system on this machine: its own MariaDB database and its own
 * RabbitMQ queue prefix, the four services as real node processes (from dist/:
 * run `npm run build` first), and tears it all down afterwards. Integration
 * tests and the flash-sale tool (--start, chaos modes) both use it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import mysql from 'mysql2/promise';
import { type AuditReport, auditDatabase, waitUntilSettled } from '../../db/audit';
import { type Pool, createPool } from '../../common/src/db';
import { REPO_ROOT } from '../../common/src/paths';
import { deleteTopology, type Topology, topologyFor } from '../../common/src/amqp/topology';
import { type ProductSeed, seedProducts } from '../../inventory-manager/src/seed';

/** The repository root, whether this runs from tools/lib (ts-jest) or dist/tools/lib. */
export const ROOT = REPO_ROOT;
const DB = { DB_HOST: process.env.DB_HOST ?? '127.0.0.1', DB_PORT: Number(process.env.DB_PORT ?? 3306), DB_USER: process.env.DB_USER ?? 'root', DB_PASSWORD: process.env.DB_PASSWORD ?? '' };
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export type ServiceName = 'inventory-manager' | 'cart-manager' | 'checkout-manager' | 'api-gateway';

const READY_MESSAGE: Record<ServiceName, string> = {
  'inventory-manager': 'listening',
  'cart-manager': 'consuming',
  'checkout-manager': 'consuming',
  'api-gateway': 'listening',
};

export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  port?: number;
  /** Port of its /metrics, /healthz, /readyz (the gateway serves them on `port`). */
  opsPort?: number;
  /** Highest resident memory seen (VmHWM, kB), sampled while it ran. */
  peakRssKb: number;
  logFile: string;
  exited: Promise<number | null>;
}

export interface SystemOptions {
  /** Environment for every service (e.g. PAYMENT_LATENCY_MS). */
  env?: Record<string, string>;
  /** Environment per service, on top of env. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  cartWorkers?: number;
  checkoutWorkers?: number;
  /** Only the inventory manager (gRPC tests). */
  inventoryOnly?: boolean;
  /** RabbitMQ to use (default AMQP_URL or the local one). */
  amqpUrl?: string;
  /** Database name (default a fresh fs_test_<id>); dropped on stop unless keepDatabase. */
  dbName?: string;
  keepDatabase?: boolean;
  /** Fixed inventory gRPC port (chaos restarts it on the same address); default a free one. */
  inventoryPort?: number;
}

export class LocalSystem {
  readonly runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  readonly dbName: string;
  readonly queuePrefix = `fs-test-${this.runId}`;
  readonly topology: Topology = topologyFor(this.queuePrefix);
  readonly logDir = path.join(ROOT, '.run', 'test-logs', this.runId);
  readonly processes: ServiceProcess[] = [];
  pool!: Pool;
  inventoryPort = 0;
  gatewayUrl = '';
  private counter = 0;

  private memoryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: SystemOptions = {}) {
    this.dbName = options.dbName ?? `fs_test_${this.runId}`;
  }

  get amqpUrl(): string {
    return this.options.amqpUrl ?? AMQP_URL;
  }

  static async start(options: SystemOptions = {}): Promise<LocalSystem> {
    const system = new LocalSystem(options);
    try {
      await system.boot();
    } catch (err) {
      await system.stop();
      throw err;
    }
    return system;
  }

  private async boot(): Promise<void> {
    mkdirSync(this.logDir, { recursive: true });
    await promisify(execFile)('node', [path.join(ROOT, 'dist/db/migrate.js')], { env: { ...process.env, ...this.dbEnv() } });
    this.pool = createPool({ ...DB, DB_NAME: this.dbName }, 4);
    this.memoryTimer = setInterval(() => this.sampleMemory(), 500);
    this.memoryTimer.unref();
    const inventory = await this.startService('inventory-manager', this.options.inventoryPort ? { GRPC_PORT: String(this.options.inventoryPort) } : {});
    this.inventoryPort = inventory.port!;
    if (this.options.inventoryOnly) return;
    const workers: Promise<ServiceProcess>[] = [];
    for (let i = 0; i < (this.options.cartWorkers ?? 1); i++) workers.push(this.startService('cart-manager'));
    for (let i = 0; i < (this.options.checkoutWorkers ?? 1); i++) workers.push(this.startService('checkout-manager'));
    await Promise.all(workers);
    const gateway = await this.startService('api-gateway');
    this.gatewayUrl = `http://127.0.0.1:${gateway.port}`;
    // The gateway listens before its broker connection is up: wait for ready.
    for (let i = 0; (await this.get('/readyz')).status !== 200; i++) {
      if (i > 100) throw new Error('gateway not ready after 10 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  dbEnv(): Record<string, string> {
    return { ...Object.fromEntries(Object.entries(DB).map(([k, val]) => [k, String(val)])), DB_NAME: this.dbName };
  }

  envFor(name: ServiceName, extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...(process.env as Record<string, string>),
      ...this.dbEnv(),
      AMQP_URL: this.amqpUrl,
      QUEUE_PREFIX: this.queuePrefix,
      OPS_PORT: '0',
      LOG_LEVEL: 'info',
      GRPC_PORT: '0',
      PORT: '0',
      HOST: '127.0.0.1',
      GRPC_HOST: '127.0.0.1',
      INVENTORY_ADDR: `127.0.0.1:${this.inventoryPort}`,
      PAYMENT_LATENCY_MS: '20',
      ...this.options.env,
      ...this.options.serviceEnv?.[name],
      ...extra,
    };
  }

  /**
   * Start one more process of a service and wait until it says it is ready.
   * Its output goes straight to its log file (not through this process, which
   * may be busy driving thousands of buyers); readiness is read from that file.
   */
  async startService(name: ServiceName, extraEnv: Record<string, string> = {}, timeoutMs = 30_000): Promise<ServiceProcess> {
    const logFile = path.join(this.logDir, `${name}-${++this.counter}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn('node', [path.join(ROOT, 'dist', name, 'src', 'main.js')], {
      env: this.envFor(name, extraEnv),
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const proc: ServiceProcess = { name, child, logFile, exited, peakRssKb: 0 };
    this.processes.push(proc);
    const deadline = Date.now() + timeoutMs;
    let offset = 0;
    let partial = '';
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode} before it was ready; see ${logFile}`);
      }
      const text = readFileSync(logFile).subarray(offset);
      offset += text.length;
      const lines = (partial + text.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const entry = JSON.parse(line) as { msg?: string; port?: number };
          if (entry.msg === 'ops listening') proc.opsPort = entry.port;
          if (entry.msg === READY_MESSAGE[name]) {
            proc.port = entry.port;
            if (name === 'api-gateway') proc.opsPort = entry.port;
            return proc;
          }
        } catch {
          // not a JSON line
        }
      }
      if (Date.now() > deadline) throw new Error(`${name} not ready after ${timeoutMs} ms; see ${logFile}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  running(name: ServiceName): ServiceProcess[] {
    return this.processes.filter((p) => p.name === name && p.child.exitCode === null && p.child.signalCode === null);
  }

  /** SIGKILL: no cleanup, as a crash or power cut. */
  async kill(proc: ServiceProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.sampleMemory();
    proc.child.kill(signal);
    await proc.exited;
  }

  /** Work in flight of a worker right now (its worker_inflight_messages gauge), or null if unknown. */
  async inFlight(proc: ServiceProcess): Promise<number | null> {
    if (!proc.opsPort) return null;
    try {
      const res = await fetch(`http://127.0.0.1:${proc.opsPort}/metrics`, { signal: AbortSignal.timeout(1_000) });
      const match = /^worker_inflight_messages(?:\{[^}]*\})? (\d+)/m.exec(await res.text());
      return match ? Number(match[1]) : null;
    } catch {
      return null;
    }
  }

  /** Peak resident memory per service name (the largest of its processes), in MB. */
  peakMemoryMb(): Record<string, number> {
    this.sampleMemory();
    const out: Record<string, number> = {};
    for (const p of this.processes) out[p.name] = Math.max(out[p.name] ?? 0, Math.round(p.peakRssKb / 102.4) / 10);
    return out;
  }

  private sampleMemory(): void {
    for (const p of this.processes) {
      if (p.child.exitCode !== null || p.child.signalCode !== null || !p.child.pid) continue;
      try {
        const status = readFileSync(`/proc/${p.child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
        if (hwm) p.peakRssKb = Math.max(p.peakRssKb, Number(hwm[1]));
      } catch {
        // gone already
      }
    }
  }

  async seed(seed: ProductSeed): Promise<void> {
    await seedProducts(this.pool, [{ priceCents: 1000, ...seed }]);
  }

  async audit(final = true): Promise<AuditReport> {
    return auditDatabase(this.pool, { final });
  }

  /** Poll until no order is pending and no reservation is held (or time out). */
  async settle(timeoutMs = 30_000): Promise<void> {
    const state = await waitUntilSettled(this.pool, timeoutMs);
    if (!state.settled) throw new Error(`not settled after ${timeoutMs} ms: ${state.pending} pending orders, ${state.held} held reservations`);
  }

  async post(pathname: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
    return readResult(
      await fetch(`${this.gatewayUrl}${pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
  }

  async get(pathname: string): Promise<HttpResult> {
    return readResult(await fetch(`${this.gatewayUrl}${pathname}`));
  }

  /** Publish a raw message to one of this run's queues (redelivery tests). */
  async publishRaw(queue: string, body: unknown, properties: amqp.Options.Publish = {}): Promise<void> {
    const conn = await amqp.connect(this.amqpUrl, { noDelay: true });
    try {
      const ch = await conn.createConfirmChannel();
      await new Promise<void>((resolve, reject) =>
        ch.sendToQueue(queue, Buffer.from(JSON.stringify(body)), { persistent: true, contentType: 'application/json', ...properties }, (err) =>
          err ? reject(err) : resolve(),
        ),
      );
    } finally {
      await conn.close();
    }
  }

  /** Take every message off the dead-letter queue: [original queue, reason, body]. */
  async drainDeadLetters(): Promise<{ queue: string; reason: string; body: string }[]> {
    const conn = await amqp.connect(this.amqpUrl, { noDelay: true });
    try {
      const ch = await conn.createChannel();
      const out: { queue: string; reason: string; body: string }[] = [];
      for (let msg = await ch.get(this.topology.deadLetterQueue, { noAck: true }); msg; msg = await ch.get(this.topology.deadLetterQueue, { noAck: true })) {
        const headers = msg.properties.headers ?? {};
        out.push({ queue: String(headers['x-original-queue'] ?? ''), reason: String(headers['x-rejection-reason'] ?? ''), body: msg.content.toString() });
      }
      return out;
    } finally {
      await conn.close();
    }
  }

  async queueDepth(queue: string): Promise<number> {
    const conn = await amqp.connect(this.amqpUrl, { noDelay: true });
    try {
      const ch = await conn.createChannel();
      return (await ch.checkQueue(queue)).messageCount;
    } finally {
      await conn.close();
    }
  }

  async stop(): Promise<void> {
    this.sampleMemory();
    if (this.memoryTimer) clearInterval(this.memoryTimer);
    await Promise.all(
      this.processes.map(async (p) => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) return;
        p.child.kill('SIGTERM');
        const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
        await p.exited;
        clearTimeout(timer);
      }),
    );
    await this.pool?.end().catch(() => undefined);
    const conn = await mysql.createConnection({ host: DB.DB_HOST, port: DB.DB_PORT, user: DB.DB_USER, password: DB.DB_PASSWORD });
    if (!this.options.keepDatabase) await conn.query(`DROP DATABASE IF EXISTS \`${this.dbName}\``);
    await conn.end();
    const broker = await amqp.connect(this.amqpUrl);
    try {
      await deleteTopology(await broker.createChannel(), this.topology);
    } finally {
      await broker.close().catch(() => undefined);
    }
  }
}

export interface HttpResult {
  status: number;
  /** Parsed JSON, or the text when the body is not JSON. */
  body: any;
  headers: Headers;
}

async function readResult(res: Response): Promise<HttpResult> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}
