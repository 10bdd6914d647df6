import type { BatchReply } from '../../../common/src/generated/flashsale/inventory/v1/BatchReply';
import type { ReserveBatchRequest__Output } from '../../../common/src/generated/flashsale/inventory/v1/ReserveBatchRequest';
import type { Logger } from '../../../common/src/logger';
import type { ReservationService } from '../coalesce/reservation-service';
import { normalizeItems, validateOrderId } from '../domain/order-items';
import { answerEach } from './batch-reply';

/** ReserveBatch: Reserve for each request, in the order given; a malformed request is refused alone (INVALID_REQUEST). */
export function reserveBatch(service: Pick<ReservationService, 'reserveMany'>, log: Logger): (req: ReserveBatchRequest__Output) => Promise<BatchReply> {
  return async (req) => {
    const requests = req.requests ?? [];
    return answerEach(
      requests,
      (i) => ({ orderId: validateOrderId(requests[i]!.order_id), items: normalizeItems(requests[i]!.items ?? []) }),
      (calls) => service.reserveMany(calls),
      log,
    );
  };
}
