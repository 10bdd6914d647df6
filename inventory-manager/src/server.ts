import { grpc, loadInventoryProto } from '../../common/src/grpc';
import { ensurePortFree, type ListenerName, listenError } from '../../common/src/lifecycle';
import type { Logger } from '../../common/src/logger';
import type { InventoryRepo } from './db/inventory-repo';
import { type CallStats, inventoryHandlers } from './handlers/grpc-handlers';

export interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

const GRPC_LISTENER: ListenerName = {
  service: 'inventory-manager',
  portVariable: 'GRPC_PORT',
  hint: '(and INVENTORY_ADDR of the checkout managers to match)',
};

export async function startGrpcServer(repo: InventoryRepo, log: Logger, host: string, port: number, stats?: CallStats): Promise<RunningServer> {
  // grpc-js prints its own error line for a busy port before it rejects: look first.
  await ensurePortFree(host, port, GRPC_LISTENER);
  const proto = loadInventoryProto();
  const server = new grpc.Server({ 'grpc.max_concurrent_streams': 1000 });
  server.addService(proto.flashsale.inventory.v1.Inventory.service, inventoryHandlers(repo, log, stats));
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(listenError(err, port, GRPC_LISTENER)) : resolve(p))),
  );
  return {
    port: bound,
    stop: () =>
      new Promise<void>((resolve) => {
        // Let in-flight calls finish; force after a deadline.
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
