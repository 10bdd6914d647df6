import type { BatchReply } from '../../../common/src/generated/flashsale/inventory/v1/BatchReply';
import type { OrderBatch__Output } from '../../../common/src/generated/flashsale/inventory/v1/OrderBatch';
import type { Logger } from '../../../common/src/logger';
import type { ReservationService } from '../coalesce/reservation-service';
import { validateOrderId } from '../domain/order-items';
import { answerEach } from './batch-reply';

/** RollbackBatch: Rollback for each order, in the order given (a tombstone for an order never reserved). */
export function rollbackBatch(service: Pick<ReservationService, 'rollbackMany'>, log: Logger): (req: OrderBatch__Output) => Promise<BatchReply> {
  return async (req) => {
    const orders = req.orders ?? [];
    return answerEach(orders, (i) => validateOrderId(orders[i]!.order_id), (ids) => service.rollbackMany(ids), log);
  };
}
