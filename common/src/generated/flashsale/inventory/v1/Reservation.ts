// Original file: protos/inventory.proto

import type { ReservationState as _flashsale_inventory_v1_ReservationState, ReservationState__Output as _flashsale_inventory_v1_ReservationState__Output } from '../../../flashsale/inventory/v1/ReservationState';
import type { ReserveItem as _flashsale_inventory_v1_ReserveItem, ReserveItem__Output as _flashsale_inventory_v1_ReserveItem__Output } from '../../../flashsale/inventory/v1/ReserveItem';
import type { Long } from '@grpc/proto-loader';

export interface Reservation {
  'orderId'?: (string);
  'state'?: (_flashsale_inventory_v1_ReservationState);
  'releaseReason'?: (string);
  'expiresAtMs'?: (number | string | Long);
  'items'?: (_flashsale_inventory_v1_ReserveItem)[];
}

export interface Reservation__Output {
  'orderId': (string);
  'state': (_flashsale_inventory_v1_ReservationState__Output);
  'releaseReason': (string);
  'expiresAtMs': (number);
  'items': (_flashsale_inventory_v1_ReserveItem__Output)[];
}
