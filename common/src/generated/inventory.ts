import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BatchReply as _flashsale_inventory_v1_BatchReply, BatchReply__Output as _flashsale_inventory_v1_BatchReply__Output } from './flashsale/inventory/v1/BatchReply';
import type { BatchResult as _flashsale_inventory_v1_BatchResult, BatchResult__Output as _flashsale_inventory_v1_BatchResult__Output } from './flashsale/inventory/v1/BatchResult';
import type { CallError as _flashsale_inventory_v1_CallError, CallError__Output as _flashsale_inventory_v1_CallError__Output } from './flashsale/inventory/v1/CallError';
import type { CheckQuantityRequest as _flashsale_inventory_v1_CheckQuantityRequest, CheckQuantityRequest__Output as _flashsale_inventory_v1_CheckQuantityRequest__Output } from './flashsale/inventory/v1/CheckQuantityRequest';
import type { InventoryClient as _flashsale_inventory_v1_InventoryClient, InventoryDefinition as _flashsale_inventory_v1_InventoryDefinition } from './flashsale/inventory/v1/Inventory';
import type { OrderBatch as _flashsale_inventory_v1_OrderBatch, OrderBatch__Output as _flashsale_inventory_v1_OrderBatch__Output } from './flashsale/inventory/v1/OrderBatch';
import type { OrderRef as _flashsale_inventory_v1_OrderRef, OrderRef__Output as _flashsale_inventory_v1_OrderRef__Output } from './flashsale/inventory/v1/OrderRef';
import type { Reservation as _flashsale_inventory_v1_Reservation, Reservation__Output as _flashsale_inventory_v1_Reservation__Output } from './flashsale/inventory/v1/Reservation';
import type { ReserveBatchRequest as _flashsale_inventory_v1_ReserveBatchRequest, ReserveBatchRequest__Output as _flashsale_inventory_v1_ReserveBatchRequest__Output } from './flashsale/inventory/v1/ReserveBatchRequest';
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
        BatchReply: MessageTypeDefinition<_flashsale_inventory_v1_BatchReply, _flashsale_inventory_v1_BatchReply__Output>
        BatchResult: MessageTypeDefinition<_flashsale_inventory_v1_BatchResult, _flashsale_inventory_v1_BatchResult__Output>
        CallError: MessageTypeDefinition<_flashsale_inventory_v1_CallError, _flashsale_inventory_v1_CallError__Output>
        CheckQuantityRequest: MessageTypeDefinition<_flashsale_inventory_v1_CheckQuantityRequest, _flashsale_inventory_v1_CheckQuantityRequest__Output>
        Inventory: SubtypeConstructor<typeof grpc.Client, _flashsale_inventory_v1_InventoryClient> & { service: _flashsale_inventory_v1_InventoryDefinition }
        OrderBatch: MessageTypeDefinition<_flashsale_inventory_v1_OrderBatch, _flashsale_inventory_v1_OrderBatch__Output>
        OrderRef: MessageTypeDefinition<_flashsale_inventory_v1_OrderRef, _flashsale_inventory_v1_OrderRef__Output>
        Reservation: MessageTypeDefinition<_flashsale_inventory_v1_Reservation, _flashsale_inventory_v1_Reservation__Output>
        ReservationState: EnumTypeDefinition
        ReserveBatchRequest: MessageTypeDefinition<_flashsale_inventory_v1_ReserveBatchRequest, _flashsale_inventory_v1_ReserveBatchRequest__Output>
        ReserveItem: MessageTypeDefinition<_flashsale_inventory_v1_ReserveItem, _flashsale_inventory_v1_ReserveItem__Output>
        ReserveRequest: MessageTypeDefinition<_flashsale_inventory_v1_ReserveRequest, _flashsale_inventory_v1_ReserveRequest__Output>
        StockLevel: MessageTypeDefinition<_flashsale_inventory_v1_StockLevel, _flashsale_inventory_v1_StockLevel__Output>
      }
    }
  }
}

