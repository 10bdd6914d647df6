// Original file: protos/inventory.proto

import type { Reservation as _flashsale_inventory_v1_Reservation, Reservation__Output as _flashsale_inventory_v1_Reservation__Output } from '../../../flashsale/inventory/v1/Reservation';
import type { CallError as _flashsale_inventory_v1_CallError, CallError__Output as _flashsale_inventory_v1_CallError__Output } from '../../../flashsale/inventory/v1/CallError';

export interface BatchResult {
  'reservation'?: (_flashsale_inventory_v1_Reservation | null);
  'error'?: (_flashsale_inventory_v1_CallError | null);
  'result'?: "reservation"|"error";
}

export interface BatchResult__Output {
  'reservation'?: (_flashsale_inventory_v1_Reservation__Output | null);
  'error'?: (_flashsale_inventory_v1_CallError__Output | null);
  'result'?: "reservation"|"error";
}
