// Original file: protos/inventory.proto

import type { BatchResult as _flashsale_inventory_v1_BatchResult, BatchResult__Output as _flashsale_inventory_v1_BatchResult__Output } from '../../../flashsale/inventory/v1/BatchResult';

export interface BatchReply {
  'results'?: (_flashsale_inventory_v1_BatchResult)[];
}

export interface BatchReply__Output {
  'results': (_flashsale_inventory_v1_BatchResult__Output)[];
}
