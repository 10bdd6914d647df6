// Original file: protos/inventory.proto

import type { OrderRef as _flashsale_inventory_v1_OrderRef, OrderRef__Output as _flashsale_inventory_v1_OrderRef__Output } from '../../../flashsale/inventory/v1/OrderRef';

export interface OrderBatch {
  'orders'?: (_flashsale_inventory_v1_OrderRef)[];
}

export interface OrderBatch__Output {
  'orders': (_flashsale_inventory_v1_OrderRef__Output)[];
}
