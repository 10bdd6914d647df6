// Original file: protos/inventory.proto


export interface OrderRef {
  'order_id'?: (string);
}

export interface OrderRef__Output {
  'order_id': (string);
}
