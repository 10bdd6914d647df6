// Original file: protos/inventory.proto

import type { ReserveRequest as _flashsale_inventory_v1_ReserveRequest, ReserveRequest__Output as _flashsale_inventory_v1_ReserveRequest__Output } from '../../../flashsale/inventory/v1/ReserveRequest';

export interface ReserveBatchRequest {
  'requests'?: (_flashsale_inventory_v1_ReserveRequest)[];
}

export interface ReserveBatchRequest__Output {
  'requests': (_flashsale_inventory_v1_ReserveRequest__Output)[];
}
