// Original file: protos/inventory.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CheckQuantityRequest as _flashsale_inventory_v1_CheckQuantityRequest, CheckQuantityRequest__Output as _flashsale_inventory_v1_CheckQuantityRequest__Output } from '../../../flashsale/inventory/v1/CheckQuantityRequest';
import type { OrderRef as _flashsale_inventory_v1_OrderRef, OrderRef__Output as _flashsale_inventory_v1_OrderRef__Output } from '../../../flashsale/inventory/v1/OrderRef';
import type { Reservation as _flashsale_inventory_v1_Reservation, Reservation__Output as _flashsale_inventory_v1_Reservation__Output } from '../../../flashsale/inventory/v1/Reservation';
import type { ReserveRequest as _flashsale_inventory_v1_ReserveRequest, ReserveRequest__Output as _flashsale_inventory_v1_ReserveRequest__Output } from '../../../flashsale/inventory/v1/ReserveRequest';
import type { StockLevel as _flashsale_inventory_v1_StockLevel, StockLevel__Output as _flashsale_inventory_v1_StockLevel__Output } from '../../../flashsale/inventory/v1/StockLevel';

export interface InventoryClient extends grpc.Client {
  CheckQuantity(argument: _flashsale_inventory_v1_CheckQuantityRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_StockLevel__Output>): grpc.ClientUnaryCall;
  CheckQuantity(argument: _flashsale_inventory_v1_CheckQuantityRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_StockLevel__Output>): grpc.ClientUnaryCall;
  CheckQuantity(argument: _flashsale_inventory_v1_CheckQuantityRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_StockLevel__Output>): grpc.ClientUnaryCall;
  CheckQuantity(argument: _flashsale_inventory_v1_CheckQuantityRequest, callback: grpc.requestCallback<_flashsale_inventory_v1_StockLevel__Output>): grpc.ClientUnaryCall;
  checkQuantity(argument: _flashsale_inventory_v1_CheckQuantityRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_StockLevel__Output>): grpc.ClientUnaryCall;
  checkQuantity(argument: _flashsale_inventory_v1_CheckQuantityRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_StockLevel__Output>): grpc.ClientUnaryCall;
  checkQuantity(argument: _flashsale_inventory_v1_CheckQuantityRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_StockLevel__Output>): grpc.ClientUnaryCall;
  checkQuantity(argument: _flashsale_inventory_v1_CheckQuantityRequest, callback: grpc.requestCallback<_flashsale_inventory_v1_StockLevel__Output>): grpc.ClientUnaryCall;
  
  Commit(argument: _flashsale_inventory_v1_OrderRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  Commit(argument: _flashsale_inventory_v1_OrderRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  Commit(argument: _flashsale_inventory_v1_OrderRef, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  Commit(argument: _flashsale_inventory_v1_OrderRef, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  commit(argument: _flashsale_inventory_v1_OrderRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  commit(argument: _flashsale_inventory_v1_OrderRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  commit(argument: _flashsale_inventory_v1_OrderRef, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  commit(argument: _flashsale_inventory_v1_OrderRef, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  
  Reserve(argument: _flashsale_inventory_v1_ReserveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  Reserve(argument: _flashsale_inventory_v1_ReserveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  Reserve(argument: _flashsale_inventory_v1_ReserveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  Reserve(argument: _flashsale_inventory_v1_ReserveRequest, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  reserve(argument: _flashsale_inventory_v1_ReserveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  reserve(argument: _flashsale_inventory_v1_ReserveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  reserve(argument: _flashsale_inventory_v1_ReserveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  reserve(argument: _flashsale_inventory_v1_ReserveRequest, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  
  Rollback(argument: _flashsale_inventory_v1_OrderRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _flashsale_inventory_v1_OrderRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _flashsale_inventory_v1_OrderRef, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _flashsale_inventory_v1_OrderRef, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  rollback(argument: _flashsale_inventory_v1_OrderRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  rollback(argument: _flashsale_inventory_v1_OrderRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  rollback(argument: _flashsale_inventory_v1_OrderRef, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  rollback(argument: _flashsale_inventory_v1_OrderRef, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  
}

export interface InventoryHandlers extends grpc.UntypedServiceImplementation {
  CheckQuantity: grpc.handleUnaryCall<_flashsale_inventory_v1_CheckQuantityRequest__Output, _flashsale_inventory_v1_StockLevel>;
  
  Commit: grpc.handleUnaryCall<_flashsale_inventory_v1_OrderRef__Output, _flashsale_inventory_v1_Reservation>;
  
  Reserve: grpc.handleUnaryCall<_flashsale_inventory_v1_ReserveRequest__Output, _flashsale_inventory_v1_Reservation>;
  
  Rollback: grpc.handleUnaryCall<_flashsale_inventory_v1_OrderRef__Output, _flashsale_inventory_v1_Reservation>;
  
}

export interface InventoryDefinition extends grpc.ServiceDefinition {
  CheckQuantity: MethodDefinition<_flashsale_inventory_v1_CheckQuantityRequest, _flashsale_inventory_v1_StockLevel, _flashsale_inventory_v1_CheckQuantityRequest__Output, _flashsale_inventory_v1_StockLevel__Output>
  Commit: MethodDefinition<_flashsale_inventory_v1_OrderRef, _flashsale_inventory_v1_Reservation, _flashsale_inventory_v1_OrderRef__Output, _flashsale_inventory_v1_Reservation__Output>
  Reserve: MethodDefinition<_flashsale_inventory_v1_ReserveRequest, _flashsale_inventory_v1_Reservation, _flashsale_inventory_v1_ReserveRequest__Output, _flashsale_inventory_v1_Reservation__Output>
  Rollback: MethodDefinition<_flashsale_inventory_v1_OrderRef, _flashsale_inventory_v1_Reservation, _flashsale_inventory_v1_OrderRef__Output, _flashsale_inventory_v1_Reservation__Output>
}
