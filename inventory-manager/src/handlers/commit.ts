import type { OrderRef__Output } from '../../../common/src/generated/flashsale/inventory/v1/OrderRef';
import type { Reservation } from '../../../common/src/generated/flashsale/inventory/v1/Reservation';
import type { ReservationService } from '../coalesce/reservation-service';
import { validateOrderId } from '../domain/order-items';
import { reservationMessage } from './reservation-message';

/** Commit: turn an order's held reservation into a sale; idempotent; an expired hold is released and said so. */
export function commit(repo: Pick<ReservationService, 'commit'>): (req: OrderRef__Output) => Promise<Reservation> {
  return async (req) => reservationMessage(await repo.commit(validateOrderId(req.order_id)));
}
