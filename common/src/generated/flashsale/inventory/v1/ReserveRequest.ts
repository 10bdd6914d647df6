// Original file: protos/inventory.proto

import type { ReserveItem as _flashsale_inventory_v1_ReserveItem, ReserveItem__Output as _flashsale_inventory_v1_ReserveItem__Output } from '../../../flashsale/inventory/v1/ReserveItem';

export interface ReserveRequest {
  'order_id'?: (string);
  'items'?: (_flashsale_inventory_v1_ReserveItem)[];
}

export interface ReserveRequest__Output {
  'order_id': (string);
  'items': (_flashsale_inventory_v1_ReserveItem__Output)[];
}
