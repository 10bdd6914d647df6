import { setTimeout as sleep } from 'node:timers/promises';
import { HealthImplementation, type ServingStatusMap } from 'grpc-health-check';
import { Broker } from '../../common/src/amqp/broker';
import { topologyFor } from '../../common/src/amqp/topology';
import { createPool, databaseCheck } from '../../common/src/db';
import { exitOnConfigError, runService } from '../../common/src/lifecycle';
import { createLogger, type Logger } from '../../common/src/logger';
import { type InventoryConfig, loadInventoryConfig } from './config';
import { createReservationService } from './coalesce/reservation-service';
import { readLevels } from '../../db/stock-levels';
import { ProductRepo } from './db/products';
import { HEARTBEAT_PRODUCT_LIMIT, StockLevelsPublisher } from './levels/publisher';
import type { CallStats } from './handlers/unary';
import { startHealthReporting } from './jobs/health';
import { startSweeper } from './jobs/sweeper';
import { startInventoryOps } from './ops';
import { HEALTH_SERVICES, startGrpcServer } from './server';

export interface RunningInventory {
  /** The gRPC port (Inventory and grpc.health.v1.Health). */
  port: number;
  opsPort: number;
  stop(): Promise<void>;
}

/** Wire the inventory manager and start it: listeners first, then the database, the health probe and the sweeper. */
export async function startInventoryManager(config: Readonly<InventoryConfig>, log: Logger): Promise<RunningInventory> {
  const pool = createPool(config, config.DB_POOL_SIZE);
  const topology = topologyFor(config.QUEUE_PREFIX);
  // Publishes only (the pushed stock levels): no consumer, so prefetch does not matter.
  const broker = new Broker({ url: config.AMQP_URL, log, topology, deliveryLimit: config.AMQP_DELIVERY_LIMIT, prefetch: 1 });
  const levels = new StockLevelsPublisher(
    {
      read: (ids) => readLevels(pool, ids, HEARTBEAT_PRODUCT_LIMIT),
      send: (message) => broker.publish(topology.stockLevelsExchange, '', message, { persistent: false }),
      log,
    },
    { intervalMs: config.STOCK_LEVELS_INTERVAL_MS, heartbeatMs: config.STOCK_LEVELS_HEARTBEAT_MS },
  );
  const reservations = createReservationService(pool, log, {
    coalesce: config.INVENTORY_COALESCE,
    maxBatch: config.INVENTORY_BATCH_MAX,
    reservationTtlMs: config.RESERVATION_TTL_MS,
    onStockChange: levels.changed,
  });
  const products = new ProductRepo(pool, log, levels.changed);
  const database = databaseCheck(pool);
  const stats: CallStats = { inFlight: 0 };
  const health = new HealthImplementation(Object.fromEntries(HEALTH_SERVICES.map((s) => [s, 'NOT_SERVING'])) as ServingStatusMap);

  const cleanup: (() => Promise<void>)[] = [() => pool.end()];
  const undo = async (err: unknown): Promise<never> => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    throw err;
  };
  // Bind both listeners first: a port in use stops the start before anything connects.
  const server = await startGrpcServer({ reservations, products, health, log, stats, secret: config.INVENTORY_SECRET }, config.GRPC_HOST, config.GRPC_PORT).catch(undo);
  cleanup.push(() => server.stop());
  const ops = await startInventoryOps({ stats, database, coalesced: reservations.coalesced }, config, log).catch(undo);
  cleanup.push(() => ops.stop());
  await pool.query('SELECT 1').catch(undo);
  // The broker is not needed to serve stock: without it the levels are not pushed (receivers then ask the workers).
  await broker.start({ waitForConnect: false }).catch(undo);
  cleanup.push(() => broker.stop(0));
  levels.start();
  const stopHealth = await startHealthReporting(health, HEALTH_SERVICES, database, log);
  const stopSweeper = startSweeper(reservations, log, config.SWEEP_INTERVAL_MS, config.SWEEP_BATCH_SIZE);
  log.info(
    { port: server.port, ttlMs: config.RESERVATION_TTL_MS, coalesce: config.INVENTORY_COALESCE, batchMax: config.INVENTORY_BATCH_MAX },
    'listening',
  );

  return {
    port: server.port,
    opsPort: ops.port,
    stop: async () => {
      await stopHealth(); // NOT_SERVING first: health-checking clients stop sending new calls
      await ops.stop();
      await stopSweeper();
      await server.stop();
      // A batch the server stopped waiting for still finishes before the pool closes (bounded).
      await Promise.race([reservations.drain(), sleep(5_000)]);
      await Promise.race([levels.stop(), sleep(1_000)]);
      await broker.stop(0);
      await pool.end();
    },
  };
}

if (require.main === module) {
  const config = exitOnConfigError(() => loadInventoryConfig());
  const log = createLogger('inventory-manager', config.LOG_LEVEL);
  runService(log, async () => (await startInventoryManager(config, log)).stop);
}
