import type { Reservation } from '../../../common/src/generated/flashsale/inventory/v1/Reservation';
import type { ReserveRequest__Output } from '../../../common/src/generated/flashsale/inventory/v1/ReserveRequest';
import type { ReservationService } from '../coalesce/reservation-service';
import { normalizeItems, validateOrderId } from '../domain/order-items';
import { reservationMessage } from './reservation-message';

/** Reserve: hold every line of an order, all or nothing, idempotent by order id. */
export function reserve(repo: Pick<ReservationService, 'reserve'>): (req: ReserveRequest__Output) => Promise<Reservation> {
  return async (req) => {
    const orderId = validateOrderId(req.order_id);
    const items = normalizeItems(req.items ?? []);
    return reservationMessage(await repo.reserve(orderId, items));
  };
}
