/**
 * The database of one system: created and migrated (db/migrate.ts, run as the
 * built script: postgrator is an ES module, which jest's sandbox cannot
 * import), a pool on it, products seeded through the inventory manager's seed
 * entry point, audited through db/audit.ts, and dropped afterwards.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { type AuditReport, auditDatabase, waitUntilSettled } from '../../db/audit';
import { createPool, type DbConfig, type Pool } from '../../common/src/db';
import { REPO_ROOT } from '../../common/src/paths';
import { type ProductSeed, seedProducts } from '../../inventory-manager/src/seed';
import { type DbServer, dbEnvOf, dbServerFromEnv } from './infrastructure';

export class SystemDatabase {
  readonly config: DbConfig;
  private openPool: Pool | null = null;

  constructor(
    readonly name: string,
    server: DbServer = dbServerFromEnv(),
  ) {
    this.config = { ...server, DB_NAME: name };
  }

  /** DB_HOST ... DB_NAME as a service's environment. */
  env(): Record<string, string> {
    return dbEnvOf(this.config);
  }

  /** Create the database if it does not exist and apply every migration. */
  async migrate(): Promise<void> {
    await promisify(execFile)('node', [path.join(REPO_ROOT, 'dist/db/migrate.js')], { env: { ...process.env, ...this.env() } });
  }

  /** Open the pool (connections of this process, not the services'). */
  open(connections = 4): Pool {
    this.openPool ??= createPool(this.config, connections);
    return this.openPool;
  }

  get pool(): Pool {
    if (!this.openPool) throw new Error(`database ${this.name} is not open`);
    return this.openPool;
  }

  get isOpen(): boolean {
    return this.openPool !== null;
  }

  /** A product (price 10.00 unless given), or more units of one. */
  async seed(seed: ProductSeed): Promise<void> {
    await seedProducts(this.pool, [{ priceCents: 1000, ...seed }]);
  }

  async audit(final = true): Promise<AuditReport> {
    return auditDatabase(this.pool, { final });
  }

  /** Poll until no order is pending and no reservation is held (or throw at the timeout). */
  async settle(timeoutMs = 30_000): Promise<void> {
    const state = await waitUntilSettled(this.pool, timeoutMs);
    if (!state.settled) throw new Error(`not settled after ${timeoutMs} ms: ${state.pending} pending orders, ${state.held} held reservations`);
  }

  async close(): Promise<void> {
    const pool = this.openPool;
    this.openPool = null;
    await pool?.end().catch(() => undefined);
  }

  async drop(): Promise<void> {
    const conn = await mysql.createConnection({ host: this.config.DB_HOST, port: this.config.DB_PORT, user: this.config.DB_USER, password: this.config.DB_PASSWORD });
    try {
      await conn.query(`DROP DATABASE IF EXISTS \`${this.name}\``);
    } finally {
      await conn.end();
    }
  }
}
