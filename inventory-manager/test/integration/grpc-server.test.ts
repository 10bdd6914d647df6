import { randomBytes, randomUUID } from 'node:crypto';
import { service as healthService } from 'grpc-health-check';
import mysql from 'mysql2/promise';
import type { Pool, PoolConnection, ResultSetHeader } from '../../../common/src/db';
import { grpc } from '../../../common/src/grpc';
import { createInventoryClient, type InventoryApi } from '../../../common/src/inventory-client';
import { createLogger } from '../../../common/src/logger';
import { TestSystem } from '../../../test/support/system';
import { InventoryRepo } from '../../src/db/inventory-repo';
import { waitFor } from '../../../test/support/wait';

/**
 * The inventory manager's own server and repository against the real MariaDB:
 * the standard gRPC health service on the Inventory port, and what a
 * reservation transition does when its conditional update does not apply.
 */
const DB = { host: process.env.DB_HOST ?? '127.0.0.1', port: Number(process.env.DB_PORT ?? 3306), user: process.env.DB_USER ?? 'root', password: process.env.DB_PASSWORD ?? '' };
const INVENTORY = 'flashsale.inventory.v1.Inventory';

type HealthClient = grpc.Client & {
  Check(req: { service: string }, options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: { status: string }) => void): void;
  Watch(req: { service: string }): grpc.ClientReadableStream<{ status: string }>;
};
const HealthClient = grpc.makeGenericClientConstructor(healthService as unknown as grpc.ServiceDefinition, 'Health');

function healthClient(port: number): HealthClient {
  return new HealthClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as HealthClient;
}

function check(client: HealthClient, service: string): Promise<string> {
  return new Promise((resolve, reject) =>
    client.Check({ service }, { deadline: Date.now() + 5_000 }, (err, res) => (err ? reject(err) : resolve(res!.status))),
  );
}

describe('inventory manager: gRPC health and reservation transitions (real MariaDB)', () => {
  // The inventory manager logs in as a user of its own, so the test can take
  // the database away from it alone (password changed, connections killed).
  const user = `fs_t_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(8).toString('hex');
  const dbName = `fs_test_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  let admin: mysql.Connection;
  let system: TestSystem;
  let health: HealthClient;

  beforeAll(async () => {
    admin = await mysql.createConnection(DB);
    await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', password]);
    await admin.query(`GRANT ALL PRIVILEGES ON \`${dbName}\`.* TO ?@?`, [user, '%']);
    system = await TestSystem.start({ dbName, inventoryOnly: true, serviceEnv: { 'inventory-manager': { DB_USER: user, DB_PASSWORD: password } } });
    health = healthClient(system.inventoryPort);
  });

  afterAll(async () => {
    health?.close();
    await system?.stop();
    await admin?.query('DROP USER IF EXISTS ?@?', [user, '%']);
    await admin?.end();
  });

  test('when the database answers, then grpc.health.v1.Health/Check says SERVING for the server and for the Inventory service', async () => {
    expect(await check(health, '')).toBe('SERVING');
    expect(await check(health, INVENTORY)).toBe('SERVING');
    await expect(check(health, 'no.such.Service')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  test('when the database stops answering, then NOT_SERVING for both; when it is back, then SERVING again', async () => {
    await admin.query('ALTER USER ?@? IDENTIFIED BY ?', [user, '%', 'changed-by-the-test']);
    const [sessions] = await admin.query<mysql.RowDataPacket[]>('SELECT id FROM information_schema.processlist WHERE user = ?', [user]);
    for (const { id } of sessions) await admin.query(`KILL CONNECTION ${Number(id)}`).catch(() => undefined);
    try {
      await waitFor('NOT_SERVING', () => check(health, ''), (s) => s === 'NOT_SERVING');
      expect(await check(health, INVENTORY)).toBe('NOT_SERVING');
    } finally {
      await admin.query('ALTER USER ?@? IDENTIFIED BY ?', [user, '%', password]);
    }
    await waitFor('SERVING again', () => check(health, INVENTORY), (s) => s === 'SERVING');
    expect(await check(health, '')).toBe('SERVING');
  });

  test('when an inventory manager is told to stop, then it says NOT_SERVING to a watcher before it goes, and exits 0', async () => {
    const proc = await system.startService('inventory-manager');
    const client = healthClient(proc.port!);
    try {
      const seen: string[] = [];
      const stream = client.Watch({ service: INVENTORY });
      const notServing = new Promise<void>((resolve, reject) => {
        stream.on('data', (msg: { status: string }) => {
          seen.push(msg.status);
          if (msg.status === 'SERVING') proc.child.kill('SIGTERM');
          if (msg.status === 'NOT_SERVING') {
            stream.cancel();
            resolve();
          }
        });
        stream.on('error', (err: grpc.ServiceError) => (err.code === grpc.status.CANCELLED ? undefined : reject(err)));
      });
      await notServing;
      expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
      expect(await proc.exited).toBe(0);
    } finally {
      client.close();
    }
  });

  describe('when a reservation’s conditional transition does not apply', () => {
    // The transition UPDATE ... WHERE status = 'held' runs under the header
    // lock, so in production it applies. Should it not (affected rows 0), the
    // repository must not move a counter on the strength of its stale read.
    // This pool makes the first such UPDATE report 0 rows without running it.
    function poolWhereTransitionMisses(pool: Pool): { pool: Pool; misses: () => number } {
      let missed = 0;
      const wrapConnection = (conn: PoolConnection): PoolConnection =>
        new Proxy(conn, {
          get(target, prop) {
            if (prop === 'execute') {
              return async (sql: string, values?: unknown) => {
                if (missed === 0 && sql.startsWith('UPDATE reservations SET status')) {
                  missed++;
                  return [{ affectedRows: 0 } as ResultSetHeader, []];
                }
                return (target.execute as (sql: string, values?: unknown) => Promise<unknown>)(sql, values);
              };
            }
            const value = Reflect.get(target, prop, target) as unknown;
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        });
      const proxied = new Proxy(pool, {
        get(target, prop) {
          if (prop === 'getConnection') return async () => wrapConnection(await target.getConnection());
          const value = Reflect.get(target, prop, target) as unknown;
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
      return { pool: proxied, misses: () => missed };
    }

    let inventory: InventoryApi;
    beforeAll(() => {
      inventory = createInventoryClient(`127.0.0.1:${system.inventoryPort}`, { timeoutMs: 10_000 });
    });
    afterAll(() => inventory?.close());

    async function ledger(orderId: string): Promise<Record<string, number>> {
      const [rows] = await system.pool.query<mysql.RowDataPacket[]>('SELECT kind, SUM(quantity) AS q FROM stock_movements WHERE order_id = ? GROUP BY kind', [orderId]);
      return Object.fromEntries(rows.map((r) => [r.kind as string, Number(r.q)]));
    }

    test('when Commit’s transition misses, then no counter moves on the stale read: it decides again and sells the unit exactly once', async () => {
      await system.seed({ productId: 'miss-commit', stock: 3 });
      const id = randomUUID();
      await inventory.reserve(id, [{ productId: 'miss-commit', quantity: 2 }]);
      const { pool, misses } = poolWhereTransitionMisses(system.pool);
      const repo = new InventoryRepo(pool, createLogger('test', 'silent'), 30_000);

      const answer = await repo.commit(id);

      expect(misses()).toBe(1);
      expect(answer).toMatchObject({ orderId: id, state: 'COMMITTED', items: [{ productId: 'miss-commit', quantity: 2 }] });
      expect(await inventory.checkQuantity('miss-commit')).toMatchObject({ available: 1, reserved: 0, sold: 2 });
      expect(await ledger(id)).toEqual({ reserve: 2, commit: 2 });
      // And a replay answers the same without moving anything.
      expect((await inventory.commit(id)).state).toBe('COMMITTED');
      expect(await inventory.checkQuantity('miss-commit')).toMatchObject({ available: 1, reserved: 0, sold: 2 });
      expect((await system.audit(false)).violations).toEqual([]);
    });

    test('when Rollback’s transition misses, then the units come back exactly once', async () => {
      await system.seed({ productId: 'miss-rollback', stock: 3 });
      const id = randomUUID();
      await inventory.reserve(id, [{ productId: 'miss-rollback', quantity: 1 }]);
      const { pool, misses } = poolWhereTransitionMisses(system.pool);
      const repo = new InventoryRepo(pool, createLogger('test', 'silent'), 30_000);

      expect(await repo.rollback(id)).toMatchObject({ state: 'RELEASED', releaseReason: 'rollback' });
      expect(misses()).toBe(1);
      expect(await inventory.checkQuantity('miss-rollback')).toMatchObject({ available: 3, reserved: 0, sold: 0 });
      expect(await ledger(id)).toEqual({ reserve: 1, release: 1 });
      expect((await system.audit(false)).violations).toEqual([]);
    });
  });
});
