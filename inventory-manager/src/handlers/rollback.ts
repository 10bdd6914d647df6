import type { OrderRef__Output } from '../../../common/src/generated/flashsale/inventory/v1/OrderRef';
import type { Reservation } from '../../../common/src/generated/flashsale/inventory/v1/Reservation';
import type { ReservationService } from '../coalesce/reservation-service';
import { validateOrderId } from '../domain/order-items';
import { reservationMessage } from './reservation-message';

/** Rollback: give an order's held units back; idempotent; an order never reserved gets a tombstone. */
export function rollback(repo: Pick<ReservationService, 'rollback'>): (req: OrderRef__Output) => Promise<Reservation> {
  return async (req) => reservationMessage(await repo.rollback(validateOrderId(req.order_id)));
}
