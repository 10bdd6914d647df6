import type { Reservation } from '../../../common/src/generated/flashsale/inventory/v1/Reservation';
import type { ReservationView } from '../domain/reservation';

/** A reservation as Reserve, Commit and Rollback answer it on the wire. */
export function reservationMessage(view: ReservationView): Reservation {
  return {
    order_id: view.orderId,
    state: view.state,
    release_reason: view.releaseReason,
    expires_at_ms: view.expiresAtMs,
    items: view.items.map((i) => ({ product_id: i.productId, quantity: i.quantity })),
  };
}
