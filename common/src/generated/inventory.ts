import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { CheckQuantityRequest as _flashsale_inventory_v1_CheckQuantityRequest, CheckQuantityRequest__Output as _flashsale_inventory_v1_CheckQuantityRequest__Output } from './flashsale/inventory/v1/CheckQuantityRequest';
import type { InventoryClient as _flashsale_inventory_v1_InventoryClient, InventoryDefinition as _flashsale_inventory_v1_InventoryDefinition } from './flashsale/inventory/v1/Inventory';
import type { OrderRef as _flashsale_inventory_v1_OrderRef, OrderRef__Output as _flashsale_inventory_v1_OrderRef__Output } from './flashsale/inventory/v1/OrderRef';
import type { Reservation as _flashsale_inventory_v1_Reservation, Reservation__Output as _flashsale_inventory_v1_Reservation__Output } from './flashsale/inventory/v1/Reservation';
import type { ReserveItem as _flashsale_inventory_v1_ReserveItem, ReserveItem__Output as _flashsale_inventory_v1_ReserveItem__Output } from './flashsale/inventory/v1/ReserveItem';
import type { ReserveRequest as _flashsale_inventory_v1_ReserveRequest, ReserveRequest__Output as _flashsale_inventory_v1_ReserveRequest__Output } from './flashsale/inventory/v1/ReserveRequest';
import type { StockLevel as _flashsale_inventory_v1_StockLevel, StockLevel__Output as _flashsale_inventory_v1_StockLevel__Output } from './flashsale/inventory/v1/StockLevel';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  flashsale: {
    inventory: {
      v1: {
        CheckQuantityRequest: MessageTypeDefinition<_flashsale_inventory_v1_CheckQuantityRequest, _flashsale_inventory_v1_CheckQuantityRequest__Output>
        Inventory: SubtypeConstructor<typeof grpc.Client, _flashsale_inventory_v1_InventoryClient> & { service: _flashsale_inventory_v1_InventoryDefinition }
        OrderRef: MessageTypeDefinition<_flashsale_inventory_v1_OrderRef, _flashsale_inventory_v1_OrderRef__Output>
        Reservation: MessageTypeDefinition<_flashsale_inventory_v1_Reservation, _flashsale_inventory_v1_Reservation__Output>
        ReservationState: EnumTypeDefinition
        ReserveItem: MessageTypeDefinition<_flashsale_inventory_v1_ReserveItem, _flashsale_inventory_v1_ReserveItem__Output>
        ReserveRequest: MessageTypeDefinition<_flashsale_inventory_v1_ReserveRequest, _flashsale_inventory_v1_ReserveRequest__Output>
        StockLevel: MessageTypeDefinition<_flashsale_inventory_v1_StockLevel, _flashsale_inventory_v1_StockLevel__Output>
      }
    }
  }
}

