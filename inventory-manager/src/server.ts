import type { HealthImplementation } from 'grpc-health-check';
import { grpc, loadInventoryProto } from '../../common/src/grpc';
import { ensurePortFree, type ListenerName, listenError } from '../../common/src/lifecycle';
import type { Logger } from '../../common/src/logger';
import type { InventoryHandlers } from '../../common/src/generated/flashsale/inventory/v1/Inventory';
import type { ReservationService } from './coalesce/reservation-service';
import type { ProductRepo } from './db/products';
import { checkQuantity } from './handlers/check-quantity';
import { commit } from './handlers/commit';
import { commitBatch } from './handlers/commit-batch';
import { reserve } from './handlers/reserve';
import { reserveBatch } from './handlers/reserve-batch';
import { rollback } from './handlers/rollback';
import { rollbackBatch } from './handlers/rollback-batch';
import { type CallStats, unary } from './handlers/unary';
import { secretCheck } from '../../common/src/shared-secret';

/** The service this server implements, as grpc.health.v1.Health names it ('' is the whole server). */
export const INVENTORY_SERVICE = 'flashsale.inventory.v1.Inventory';
export const HEALTH_SERVICES = ['', INVENTORY_SERVICE] as const;

export interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

export interface ServerDeps {
  /** Reserve, Commit, Rollback: coalesced into batch transactions, or one transaction per call (INVENTORY_COALESCE). */
  reservations: Pick<ReservationService, 'reserve' | 'commit' | 'rollback' | 'reserveMany' | 'commitMany' | 'rollbackMany'>;
  products: Pick<ProductRepo, 'checkQuantity'>;
  /** grpc.health.v1.Health, served on the same port; its statuses are set by jobs/health.ts. */
  health: HealthImplementation;
  log: Logger;
  stats: CallStats;
  /** INVENTORY_SECRET: every call but the health service's must carry it (unset: none needs to). */
  secret?: string;
}

const GRPC_LISTENER: ListenerName = {
  service: 'inventory-manager',
  portVariable: 'GRPC_PORT',
  hint: '(and INVENTORY_ADDR of the checkout managers to match)',
};

export function inventoryHandlers(deps: Omit<ServerDeps, 'health'>): InventoryHandlers {
  const { log, stats } = deps;
  const authorized = secretCheck(deps.secret);
  return {
    CheckQuantity: unary(log, 'CheckQuantity', checkQuantity(deps.products), stats, authorized),
    Reserve: unary(log, 'Reserve', reserve(deps.reservations), stats, authorized),
    Commit: unary(log, 'Commit', commit(deps.reservations), stats, authorized),
    Rollback: unary(log, 'Rollback', rollback(deps.reservations), stats, authorized),
    // Each order of a batch call joins the same pending batches as the single calls.
    ReserveBatch: unary(log, 'ReserveBatch', reserveBatch(deps.reservations, log.child({ method: 'ReserveBatch' })), stats, authorized),
    CommitBatch: unary(log, 'CommitBatch', commitBatch(deps.reservations, log.child({ method: 'CommitBatch' })), stats, authorized),
    RollbackBatch: unary(log, 'RollbackBatch', rollbackBatch(deps.reservations, log.child({ method: 'RollbackBatch' })), stats, authorized),
  };
}

/** Bind the gRPC listener with the Inventory and Health services. */
export async function startGrpcServer(deps: ServerDeps, host: string, port: number): Promise<RunningServer> {
  // grpc-js prints its own error line for a busy port before it rejects: look first.
  await ensurePortFree(host, port, GRPC_LISTENER);
  const proto = loadInventoryProto();
  const server = new grpc.Server({ 'grpc.max_concurrent_streams': 1000 });
  server.addService(proto.flashsale.inventory.v1.Inventory.service, inventoryHandlers(deps));
  deps.health.addToServer(server);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(listenError(err, port, GRPC_LISTENER)) : resolve(p))),
  );
  return {
    port: bound,
    stop: () =>
      new Promise<void>((resolve) => {
        // Let in-flight calls finish; force after a deadline (a Health/Watch
        // stream never ends by itself, so a watcher makes stop take it).
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 5_000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
