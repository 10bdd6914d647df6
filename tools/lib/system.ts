/**
 * Starts the real system on this machine: its own MariaDB database and its own
 * RabbitMQ queue prefix, the four services as real node processes (from dist/:
 * run `npm run build` first), and tears it all down afterwards. Integration
 * tests and the flash-sale tool (--start, chaos modes) both use it.
 *
 * LocalSystem only composes the parts, each in its own module:
 * processes.ts (spawn, kill, wait, memory), readiness.ts (GET /readyz, gRPC
 * health), ports.ts (free ports), database.ts (create, migrate, pool, seed,
 * audit, drop), broker-admin.ts (raw publish, dead letters, queue depth,
 * topology), http.ts (requests to the gateway), services.ts (what each
 * service listens on) and infrastructure.ts (where MariaDB and RabbitMQ are).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type amqp from 'amqplib';
import type { AuditReport } from '../../db/audit';
import type { Pool } from '../../common/src/db';
import { REPO_ROOT } from '../../common/src/paths';
import { type Topology, topologyFor } from '../../common/src/amqp/topology';
import type { ProductSeed } from '../../inventory-manager/src/seed';
import { BrokerAdmin, type DeadLetter } from './broker-admin';
import { SystemDatabase } from './database';
import { httpGet, httpPost, type HttpResult, readGauge } from './http';
import { amqpUrlFromEnv } from './infrastructure';
import { freePort } from './ports';
import { isRunning, ProcessSupervisor, type ServiceProcess } from './processes';
import { grpcHealthProbe, httpReadyzProbe, type Probe, type ReadyWaitOptions, waitUntilReady } from './readiness';
import { mainScript, type ServiceName, SURFACES } from './services';

export type { HttpResult } from './http';
export type { ServiceProcess } from './processes';
export type { ServiceName } from './services';

/** The repository root, whether this runs from tools/lib (ts-jest) or dist/tools/lib. */
export const ROOT = REPO_ROOT;

/**
 * How long startService waits on a service that answers "not ready" before it
 * hands it back anyway: one started against a broken dependency on purpose (a
 * wrong DB_PASSWORD, an unreachable AMQP_URL) says so for as long as it is
 * broken. As long as the gateway's own wait for the broker at start.
 */
const NOT_READY_GRACE_MS = 3_000;
/** Starts whose port was taken between the pick and the bind are retried on fresh ports this many times. */
const START_ATTEMPTS = 3;

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
  /**
   * Run every service under node's CPU profiler (--cpu-prof), writing <service>-<n>.cpuprofile here
   * when it exits: stop() sends SIGTERM and waits, so each profile is complete.
   */
  cpuProfileDir?: string;
}

export class LocalSystem {
  readonly runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  readonly dbName: string;
  readonly queuePrefix = `fs-test-${this.runId}`;
  readonly topology: Topology = topologyFor(this.queuePrefix);
  readonly logDir = path.join(ROOT, '.run', 'test-logs', this.runId);
  readonly amqpUrl: string;
  readonly database: SystemDatabase;
  readonly broker: BrokerAdmin;
  private readonly supervisor: ProcessSupervisor;
  inventoryPort = 0;
  gatewayUrl = '';

  constructor(private readonly options: SystemOptions = {}) {
    this.supervisor = new ProcessSupervisor(this.logDir, { cpuProfileDir: options.cpuProfileDir });
    this.dbName = options.dbName ?? `fs_test_${this.runId}`;
    this.amqpUrl = options.amqpUrl ?? amqpUrlFromEnv();
    this.database = new SystemDatabase(this.dbName);
    this.broker = new BrokerAdmin(this.amqpUrl, this.topology);
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

  /** Every process started, running or not. */
  get processes(): ServiceProcess[] {
    return this.supervisor.processes;
  }

  /** This process's pool on the system's database. */
  get pool(): Pool {
    return this.database.pool;
  }

  private async boot(): Promise<void> {
    await this.database.migrate();
    this.database.open(4);
    this.supervisor.startSampling();
    const inventory = await this.launch('inventory-manager', this.options.inventoryPort ? { GRPC_PORT: String(this.options.inventoryPort) } : {}, { timeoutMs: 30_000 });
    this.inventoryPort = inventory.port!;
    if (this.options.inventoryOnly) return;
    const workers: Promise<ServiceProcess>[] = [];
    for (let i = 0; i < (this.options.cartWorkers ?? 1); i++) workers.push(this.launch('cart-manager', {}, { timeoutMs: 30_000 }));
    for (let i = 0; i < (this.options.checkoutWorkers ?? 1); i++) workers.push(this.launch('checkout-manager', {}, { timeoutMs: 30_000 }));
    await Promise.all(workers);
    const gateway = await this.launch('api-gateway', {}, { timeoutMs: 30_000 });
    this.gatewayUrl = `http://127.0.0.1:${gateway.port}`;
  }

  dbEnv(): Record<string, string> {
    return this.database.env();
  }

  /**
   * The environment of a new process of a service. Its ports are '0' unless
   * options or extra fix them: the harness then picks free ones and passes them
   * explicitly (it must know them to read /readyz).
   */
  envFor(name: ServiceName, extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...(process.env as Record<string, string>),
      ...this.dbEnv(),
      AMQP_URL: this.amqpUrl,
      QUEUE_PREFIX: this.queuePrefix,
      LOG_LEVEL: 'info',
      PORT: '0',
      OPS_PORT: '0',
      GRPC_PORT: '0',
      HOST: '127.0.0.1',
      OPS_HOST: '127.0.0.1',
      GRPC_HOST: '127.0.0.1',
      INVENTORY_ADDR: `127.0.0.1:${this.inventoryPort}`,
      PAYMENT_LATENCY_MS: '20',
      ...this.options.env,
      ...this.options.serviceEnv?.[name],
      ...extra,
    };
  }

  /**
   * Start one more process of a service and wait until it is ready: GET /readyz
   * answers 200 on its HTTP or ops port (the inventory manager: its gRPC health
   * says SERVING). A process that keeps answering "not ready" (started against
   * a broken dependency on purpose) is handed back after NOT_READY_GRACE_MS;
   * its /readyz says why. Rejects if it exits first or does not answer in time.
   */
  async startService(name: ServiceName, extraEnv: Record<string, string> = {}, timeoutMs = 30_000): Promise<ServiceProcess> {
    return this.launch(name, extraEnv, { timeoutMs, notReadyGraceMs: NOT_READY_GRACE_MS });
  }

  /**
   * Start a process that is to crash on work already queued (CRASH_AT): it may
   * die before its /readyz ever answers, so its start is not awaited as ready;
   * the process is handed back either way, to await its exit.
   */
  async startCrashingService(name: ServiceName, extraEnv: Record<string, string>): Promise<ServiceProcess> {
    const before = new Set(this.processes);
    await this.startService(name, extraEnv).catch(() => undefined);
    const started = this.processes.filter((p) => p.name === name && !before.has(p));
    return started[started.length - 1]!;
  }

  private async launch(name: ServiceName, extraEnv: Record<string, string>, wait: ReadyWaitOptions): Promise<ServiceProcess> {
    const surface = SURFACES[name];
    for (let attempt = 1; ; attempt++) {
      const env = this.envFor(name, extraEnv);
      let picked = false;
      for (const variable of surface.ports) {
        if (env[variable] === undefined || env[variable] === '0') {
          env[variable] = String(await freePort());
          picked = true;
        }
      }
      const proc = this.supervisor.spawn(
        name,
        mainScript(name),
        env,
        { port: surface.main ? Number(env[surface.main]) : undefined, opsPort: Number(env[surface.ops]) },
        surface.nodeArgs,
      );
      const probes = this.readinessProbes(name, proc);
      try {
        await waitUntilReady(`${name} (pid ${proc.child.pid})`, probes, () => exitOf(proc), wait);
        return proc;
      } catch (err) {
        if (picked && attempt < START_ATTEMPTS && !isRunning(proc) && portWasTaken(proc.logFile)) continue;
        throw new Error(`${(err as Error).message}; see ${proc.logFile}`);
      } finally {
        for (const p of probes) (p as Probe & { close?: () => void }).close?.();
      }
    }
  }

  /** Where a process says it is ready: the inventory manager on its gRPC port (grpc.health.v1), the others GET /readyz. */
  private readinessProbes(name: ServiceName, proc: ServiceProcess): Probe[] {
    if (name === 'inventory-manager') return [grpcHealthProbe(`127.0.0.1:${proc.port}`)];
    return [httpReadyzProbe(`http://127.0.0.1:${proc.opsPort}/readyz`)];
  }

  running(name: ServiceName): ServiceProcess[] {
    return this.supervisor.running(name);
  }

  /** SIGKILL: no cleanup, as a crash or power cut. */
  async kill(proc: ServiceProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.supervisor.kill(proc, signal);
  }

  /** Work in flight of a worker right now (its worker_inflight_messages gauge), or null if unknown. */
  async inFlight(proc: ServiceProcess): Promise<number | null> {
    if (!proc.opsPort) return null;
    return readGauge(`http://127.0.0.1:${proc.opsPort}/metrics`, 'worker_inflight_messages', 1_000).catch(() => null);
  }

  /** Peak resident memory per service name (the largest of its processes), in MB. */
  peakMemoryMb(): Record<string, number> {
    return this.supervisor.peakMemoryMb();
  }

  /** CPU seconds (user + system) each process has used, the busiest first; after stop(), as sampled just before it. */
  cpuSeconds(): { name: ServiceName; pid: number; cpuSeconds: number; cpuProfile?: string }[] {
    return this.supervisor.cpuSeconds();
  }

  /** The Prometheus /metrics page of every running process (the gateway on its port, the others on their ops port). */
  async metricsPages(timeoutMs = 5_000): Promise<{ name: ServiceName; pid: number; text: string }[]> {
    const pages = await Promise.all(
      this.processes
        .filter((p) => isRunning(p))
        .map(async (p) => {
          const port = p.name === 'api-gateway' ? p.port : p.opsPort;
          if (!port) return null;
          try {
            const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
            return { name: p.name, pid: p.child.pid ?? 0, text: await res.text() };
          } catch {
            return null;
          }
        }),
    );
    return pages.filter((p) => p !== null);
  }

  async seed(seed: ProductSeed): Promise<void> {
    await this.database.seed(seed);
  }

  async audit(final = true): Promise<AuditReport> {
    return this.database.audit(final);
  }

  /** Poll until no order is pending and no reservation is held (or time out). */
  async settle(timeoutMs = 30_000): Promise<void> {
    await this.database.settle(timeoutMs);
  }

  async post(pathname: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
    return httpPost(`${this.gatewayUrl}${pathname}`, body, headers);
  }

  async get(pathname: string): Promise<HttpResult> {
    return httpGet(`${this.gatewayUrl}${pathname}`);
  }

  /** Publish a raw message to one of this run's queues (redelivery tests). */
  async publishRaw(queue: string, body: unknown, properties: amqp.Options.Publish = {}): Promise<void> {
    await this.broker.publishRaw(queue, body, properties);
  }

  /** Take every message off the dead-letter queue: [original queue, reason, body]. */
  async drainDeadLetters(): Promise<DeadLetter[]> {
    return this.broker.drainDeadLetters();
  }

  async queueDepth(queue: string): Promise<number> {
    return this.broker.queueDepth(queue);
  }

  /** Stop every process (SIGTERM, then SIGKILL after 15 s), close the pool, drop the database (unless kept), delete the topology. */
  async stop(): Promise<void> {
    await this.supervisor.stopAll();
    await this.database.close();
    if (!this.options.keepDatabase) await this.database.drop();
    await this.broker.deleteTopology();
  }
}

/** How a process ended, null while it runs. */
function exitOf(proc: ServiceProcess): string | null {
  if (proc.child.exitCode !== null) return `exited with ${proc.child.exitCode}`;
  if (proc.child.signalCode !== null) return `exited with ${proc.child.signalCode}`;
  return null;
}

/** The service stopped because a port it was given is taken (its one-line message: "port N is already in use"). */
function portWasTaken(logFile: string): boolean {
  try {
    return readFileSync(logFile, 'utf8').includes('already in use');
  } catch {
    return false;
  }
}
