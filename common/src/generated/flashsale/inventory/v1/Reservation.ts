// Original file: protos/inventory.proto

import type { ReservationState as _flashsale_inventory_v1_ReservationState, ReservationState__Output as _flashsale_inventory_v1_ReservationState__Output } from '../../../flashsale/inventory/v1/ReservationState';
import type { ReserveItem as _flashsale_inventory_v1_ReserveItem, ReserveItem__Output as _flashsale_inventory_v1_ReserveItem__Output } from '../../../flashsale/inventory/v1/ReserveItem';
import type { Long } from '@grpc/proto-loader';

export interface Reservation {
  'order_id'?: (string);
  'state'?: (_flashsale_inventory_v1_ReservationState);
  'release_reason'?: (string);
  'expires_at_ms'?: (number | string | Long);
  'items'?: (_flashsale_inventory_v1_ReserveItem)[];
}

export interface Reservation__Output {
  'order_id': (string);
  'state': (_flashsale_inventory_v1_ReservationState__Output);
  'release_reason': (string);
  'expires_at_ms': (number);
  'items': (_flashsale_inventory_v1_ReserveItem__Output)[];
}
