import { AppError } from '../../../common/src/errors';
import type { grpc } from '../../../common/src/grpc';
import { toStatus } from './status';
import type { Logger } from '../../../common/src/logger';
import type { InventoryHandlers } from '../../../common/src/generated/flashsale/inventory/v1/Inventory';
import type { Reservation } from '../../../common/src/generated/flashsale/inventory/v1/Reservation';
import type { InventoryRepo, ReservationView } from '../db/inventory-repo';
import { normalizeItems, validateOrderId } from '../domain/order-items';

/**
 * grpc-js ignores the promise an async handler returns: a rejection would hang
 * the call. Every handler goes through here so a rejection becomes a status.
 */
function unary<Req, Res>(log: Logger, method: string, fn: (req: Req) => Promise<Res>, stats: CallStats): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    stats.inFlight++;
    fn(call.request)
      .then(
        (res) => callback(null, res),
        (err: unknown) => callback(toStatus(err, log.child({ method })) as grpc.ServiceError),
      )
      .finally(() => stats.inFlight--);
  };
}

/** Calls being served right now (the ops server's inflight gauge reads it). */
export interface CallStats {
  inFlight: number;
}

function toMessage(view: ReservationView): Reservation {
  return {
    order_id: view.orderId,
    state: view.state,
    release_reason: view.releaseReason,
    expires_at_ms: view.expiresAtMs,
    items: view.items.map((i) => ({ product_id: i.productId, quantity: i.quantity })),
  };
}

export function inventoryHandlers(repo: InventoryRepo, log: Logger, stats: CallStats = { inFlight: 0 }): InventoryHandlers {
  return {
    CheckQuantity: unary(log, 'CheckQuantity', async (req) => {
      const productId = req.product_id ?? '';
      if (productId.length < 1 || productId.length > 100) {
        throw new AppError({ code: 'INVALID_REQUEST', message: 'product_id must be 1 to 100 characters' });
      }
      const level = await repo.checkQuantity(productId);
      return { product_id: level.productId, available: level.available, reserved: level.reserved, sold: level.sold };
    }, stats),
    Reserve: unary(log, 'Reserve', async (req) => {
      const orderId = validateOrderId(req.order_id);
      const items = normalizeItems(req.items ?? []);
      return toMessage(await repo.reserve(orderId, items));
    }, stats),
    Commit: unary(log, 'Commit', async (req) => toMessage(await repo.commit(validateOrderId(req.order_id))), stats),
    Rollback: unary(log, 'Rollback', async (req) => toMessage(await repo.rollback(validateOrderId(req.order_id))), stats),
  };
}
