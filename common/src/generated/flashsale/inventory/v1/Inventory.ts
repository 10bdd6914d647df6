// Original file: protos/inventory.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { BatchReply as _flashsale_inventory_v1_BatchReply, BatchReply__Output as _flashsale_inventory_v1_BatchReply__Output } from '../../../flashsale/inventory/v1/BatchReply';
import type { CheckQuantityRequest as _flashsale_inventory_v1_CheckQuantityRequest, CheckQuantityRequest__Output as _flashsale_inventory_v1_CheckQuantityRequest__Output } from '../../../flashsale/inventory/v1/CheckQuantityRequest';
import type { OrderBatch as _flashsale_inventory_v1_OrderBatch, OrderBatch__Output as _flashsale_inventory_v1_OrderBatch__Output } from '../../../flashsale/inventory/v1/OrderBatch';
import type { OrderRef as _flashsale_inventory_v1_OrderRef, OrderRef__Output as _flashsale_inventory_v1_OrderRef__Output } from '../../../flashsale/inventory/v1/OrderRef';
import type { Reservation as _flashsale_inventory_v1_Reservation, Reservation__Output as _flashsale_inventory_v1_Reservation__Output } from '../../../flashsale/inventory/v1/Reservation';
import type { ReserveBatchRequest as _flashsale_inventory_v1_ReserveBatchRequest, ReserveBatchRequest__Output as _flashsale_inventory_v1_ReserveBatchRequest__Output } from '../../../flashsale/inventory/v1/ReserveBatchRequest';
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
  
  CommitBatch(argument: _flashsale_inventory_v1_OrderBatch, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  CommitBatch(argument: _flashsale_inventory_v1_OrderBatch, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  CommitBatch(argument: _flashsale_inventory_v1_OrderBatch, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  CommitBatch(argument: _flashsale_inventory_v1_OrderBatch, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  commitBatch(argument: _flashsale_inventory_v1_OrderBatch, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  commitBatch(argument: _flashsale_inventory_v1_OrderBatch, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  commitBatch(argument: _flashsale_inventory_v1_OrderBatch, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  commitBatch(argument: _flashsale_inventory_v1_OrderBatch, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  
  Reserve(argument: _flashsale_inventory_v1_ReserveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  Reserve(argument: _flashsale_inventory_v1_ReserveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  Reserve(argument: _flashsale_inventory_v1_ReserveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  Reserve(argument: _flashsale_inventory_v1_ReserveRequest, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  reserve(argument: _flashsale_inventory_v1_ReserveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  reserve(argument: _flashsale_inventory_v1_ReserveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  reserve(argument: _flashsale_inventory_v1_ReserveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  reserve(argument: _flashsale_inventory_v1_ReserveRequest, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  
  ReserveBatch(argument: _flashsale_inventory_v1_ReserveBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  ReserveBatch(argument: _flashsale_inventory_v1_ReserveBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  ReserveBatch(argument: _flashsale_inventory_v1_ReserveBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  ReserveBatch(argument: _flashsale_inventory_v1_ReserveBatchRequest, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  reserveBatch(argument: _flashsale_inventory_v1_ReserveBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  reserveBatch(argument: _flashsale_inventory_v1_ReserveBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  reserveBatch(argument: _flashsale_inventory_v1_ReserveBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  reserveBatch(argument: _flashsale_inventory_v1_ReserveBatchRequest, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  
  Rollback(argument: _flashsale_inventory_v1_OrderRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _flashsale_inventory_v1_OrderRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _flashsale_inventory_v1_OrderRef, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _flashsale_inventory_v1_OrderRef, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  rollback(argument: _flashsale_inventory_v1_OrderRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  rollback(argument: _flashsale_inventory_v1_OrderRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  rollback(argument: _flashsale_inventory_v1_OrderRef, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  rollback(argument: _flashsale_inventory_v1_OrderRef, callback: grpc.requestCallback<_flashsale_inventory_v1_Reservation__Output>): grpc.ClientUnaryCall;
  
  RollbackBatch(argument: _flashsale_inventory_v1_OrderBatch, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  RollbackBatch(argument: _flashsale_inventory_v1_OrderBatch, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  RollbackBatch(argument: _flashsale_inventory_v1_OrderBatch, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  RollbackBatch(argument: _flashsale_inventory_v1_OrderBatch, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  rollbackBatch(argument: _flashsale_inventory_v1_OrderBatch, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  rollbackBatch(argument: _flashsale_inventory_v1_OrderBatch, metadata: grpc.Metadata, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  rollbackBatch(argument: _flashsale_inventory_v1_OrderBatch, options: grpc.CallOptions, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  rollbackBatch(argument: _flashsale_inventory_v1_OrderBatch, callback: grpc.requestCallback<_flashsale_inventory_v1_BatchReply__Output>): grpc.ClientUnaryCall;
  
}

export interface InventoryHandlers extends grpc.UntypedServiceImplementation {
  CheckQuantity: grpc.handleUnaryCall<_flashsale_inventory_v1_CheckQuantityRequest__Output, _flashsale_inventory_v1_StockLevel>;
  
  Commit: grpc.handleUnaryCall<_flashsale_inventory_v1_OrderRef__Output, _flashsale_inventory_v1_Reservation>;
  
  CommitBatch: grpc.handleUnaryCall<_flashsale_inventory_v1_OrderBatch__Output, _flashsale_inventory_v1_BatchReply>;
  
  Reserve: grpc.handleUnaryCall<_flashsale_inventory_v1_ReserveRequest__Output, _flashsale_inventory_v1_Reservation>;
  
  ReserveBatch: grpc.handleUnaryCall<_flashsale_inventory_v1_ReserveBatchRequest__Output, _flashsale_inventory_v1_BatchReply>;
  
  Rollback: grpc.handleUnaryCall<_flashsale_inventory_v1_OrderRef__Output, _flashsale_inventory_v1_Reservation>;
  
  RollbackBatch: grpc.handleUnaryCall<_flashsale_inventory_v1_OrderBatch__Output, _flashsale_inventory_v1_BatchReply>;
  
}

export interface InventoryDefinition extends grpc.ServiceDefinition {
  CheckQuantity: MethodDefinition<_flashsale_inventory_v1_CheckQuantityRequest, _flashsale_inventory_v1_StockLevel, _flashsale_inventory_v1_CheckQuantityRequest__Output, _flashsale_inventory_v1_StockLevel__Output>
  Commit: MethodDefinition<_flashsale_inventory_v1_OrderRef, _flashsale_inventory_v1_Reservation, _flashsale_inventory_v1_OrderRef__Output, _flashsale_inventory_v1_Reservation__Output>
  CommitBatch: MethodDefinition<_flashsale_inventory_v1_OrderBatch, _flashsale_inventory_v1_BatchReply, _flashsale_inventory_v1_OrderBatch__Output, _flashsale_inventory_v1_BatchReply__Output>
  Reserve: MethodDefinition<_flashsale_inventory_v1_ReserveRequest, _flashsale_inventory_v1_Reservation, _flashsale_inventory_v1_ReserveRequest__Output, _flashsale_inventory_v1_Reservation__Output>
  ReserveBatch: MethodDefinition<_flashsale_inventory_v1_ReserveBatchRequest, _flashsale_inventory_v1_BatchReply, _flashsale_inventory_v1_ReserveBatchRequest__Output, _flashsale_inventory_v1_BatchReply__Output>
  Rollback: MethodDefinition<_flashsale_inventory_v1_OrderRef, _flashsale_inventory_v1_Reservation, _flashsale_inventory_v1_OrderRef__Output, _flashsale_inventory_v1_Reservation__Output>
  RollbackBatch: MethodDefinition<_flashsale_inventory_v1_OrderBatch, _flashsale_inventory_v1_BatchReply, _flashsale_inventory_v1_OrderBatch__Output, _flashsale_inventory_v1_BatchReply__Output>
}
