import { createPool, databaseCheck } from '../../common/src/db';
import { exitOnConfigError, runService } from '../../common/src/lifecycle';
import { createLogger } from '../../common/src/logger';
import { createRegistry, registerInFlightGauge, startOpsServer } from '../../common/src/metrics';
import { loadInventoryConfig } from './config';
import { InventoryRepo } from './db/inventory-repo';
import { startGrpcServer } from './server';
import { startSweeper } from './sweeper';

const config = exitOnConfigError(() => loadInventoryConfig());
const log = createLogger('inventory-manager', config.LOG_LEVEL);

runService(log, async () => {
  const pool = createPool(config, config.DB_POOL_SIZE);
  const repo = new InventoryRepo(pool, log, config.RESERVATION_TTL_MS);
  const stats = { inFlight: 0 };
  // Bind both listeners first: a port in use stops the start before anything connects.
  const server = await startGrpcServer(repo, log, config.GRPC_HOST, config.GRPC_PORT, stats);
  const registry = createRegistry('inventory-manager');
  registerInFlightGauge(registry, () => stats.inFlight);
  const ops = await startOpsServer({
    service: 'inventory-manager',
    registry,
    host: config.OPS_HOST,
    port: config.OPS_PORT,
    checks: { database: databaseCheck(pool) },
    log,
  }).catch(async (err: unknown) => {
    await server.stop();
    throw err;
  });
  await pool.query('SELECT 1');
  const stopSweeper = startSweeper(repo, log, config.SWEEP_INTERVAL_MS, config.SWEEP_BATCH_SIZE);
  log.info({ port: server.port, ttlMs: config.RESERVATION_TTL_MS }, 'listening');
  return async () => {
    await ops.stop();
    await stopSweeper();
    await server.stop();
    await pool.end();
  };
});
