import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from './errors';
import { secretMetadata } from './shared-secret';
import { fromServiceError, grpc, loadInventoryProto, type InventoryClient } from './grpc';
import { isErrorCode } from '../../contracts/errors';
import { MAX_ORDERS_PER_BATCH_CALL } from '../../contracts/inventory';
import type { BatchReply__Output } from './generated/flashsale/inventory/v1/BatchReply';
import type { Reservation__Output } from './generated/flashsale/inventory/v1/Reservation';
import type { StockLevel__Output } from './generated/flashsale/inventory/v1/StockLevel';

export type ReservationReply = Reservation__Output;
export type StockLevelReply = StockLevel__Output;

export interface InventoryApi {
  checkQuantity(productId: string): Promise<StockLevelReply>;
  reserve(orderId: string, items: { productId: string; quantity: number }[]): Promise<ReservationReply>;
  commit(orderId: string): Promise<ReservationReply>;
  rollback(orderId: string): Promise<ReservationReply>;
  /**
   * Many orders in one call each; one result per order, in order: its
   * reservation, or an AppError with the catalog code of its refusal. The
   * promise rejects only when the whole call failed (after the retries).
   */
  reserveBatch(requests: { orderId: string; items: { productId: string; quantity: number }[] }[]): Promise<BatchOutcome[]>;
  commitBatch(orderIds: string[]): Promise<BatchOutcome[]>;
  rollbackBatch(orderIds: string[]): Promise<BatchOutcome[]>;
  close(): void;
}

export type BatchOutcome = ReservationReply | AppError;

/** The results of a batch call, one per order: a reservation, or the refusal as an AppError. */
export function batchOutcomes(reply: BatchReply__Output, expected: number): BatchOutcome[] {
  if (reply.results.length !== expected) {
    throw new AppError({ code: 'INTERNAL', message: `inventory batch reply has ${reply.results.length} results for ${expected} orders` });
  }
  return reply.results.map((r): BatchOutcome => {
    if (r.reservation) return r.reservation;
    const code = r.error?.code;
    return new AppError({ code: isErrorCode(code) ? code : 'INTERNAL', message: r.error?.message ?? 'inventory batch result without a reservation or an error' });
  });
}

/**
 * A batch longer than the server takes in one call, as consecutive calls of
 * at most MAX_ORDERS_PER_BATCH_CALL orders, one after the other (arrival
 * order holds across them); the results concatenated, in order.
 */
export async function inCalls<T, R>(items: readonly T[], callOnce: (part: T[]) => Promise<R[]>, max = MAX_ORDERS_PER_BATCH_CALL): Promise<R[]> {
  if (items.length <= max) return callOnce([...items]);
  const out: R[] = [];
  for (let at = 0; at < items.length; at += max) out.push(...(await callOnce(items.slice(at, at + max))));
  return out;
}

/**
 * A promise client of the inventory manager. Every call is idempotent on the
 * server, so a call that failed in transit (UNAVAILABLE, deadline) is retried
 * here a few times with backoff; refusals (SOLD_OUT...) come back as AppError.
 */
export function createInventoryClient(address: string, options: { timeoutMs: number; attempts?: number; secret?: string }): InventoryApi {
  const proto = loadInventoryProto();
  const client: InventoryClient = new proto.flashsale.inventory.v1.Inventory(address, grpc.credentials.createInsecure(), {
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 2_000,
  });
  const attempts = options.attempts ?? 5;

  function call<Req, Res>(method: (req: Req, meta: grpc.Metadata, opts: grpc.CallOptions, cb: grpc.requestCallback<Res>) => unknown, req: Req): Promise<Res> {
    const once = () =>
      new Promise<Res>((resolve, reject) => {
        method.call(client, req, secretMetadata(options.secret), { deadline: Date.now() + options.timeoutMs }, (err: grpc.ServiceError | null, res?: Res) =>
          err ? reject(fromServiceError(err)) : resolve(res as Res),
        );
      });
    return (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await once();
        } catch (err) {
          if (!(err instanceof AppError) || !err.retryable || attempt >= attempts) throw err;
          await sleep(100 * 2 ** attempt);
        }
      }
    })();
  }

  return {
    checkQuantity: (productId) => call(client.CheckQuantity, { product_id: productId }),
    reserve: (orderId, items) =>
      call(client.Reserve, { order_id: orderId, items: items.map((i) => ({ product_id: i.productId, quantity: i.quantity })) }),
    commit: (orderId) => call(client.Commit, { order_id: orderId }),
    rollback: (orderId) => call(client.Rollback, { order_id: orderId }),
    reserveBatch: (requests) =>
      inCalls(requests, async (part) =>
        batchOutcomes(
          await call(client.ReserveBatch, {
            requests: part.map((r) => ({ order_id: r.orderId, items: r.items.map((i) => ({ product_id: i.productId, quantity: i.quantity })) })),
          }),
          part.length,
        ),
      ),
    commitBatch: (orderIds) => inCalls(orderIds, async (part) => batchOutcomes(await call(client.CommitBatch, { orders: part.map((id) => ({ order_id: id })) }), part.length)),
    rollbackBatch: (orderIds) =>
      inCalls(orderIds, async (part) => batchOutcomes(await call(client.RollbackBatch, { orders: part.map((id) => ({ order_id: id })) }), part.length)),
    close: () => client.close(),
  };
}
