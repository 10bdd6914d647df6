// Original file: protos/inventory.proto


export interface OrderRef {
  'orderId'?: (string);
}

export interface OrderRef__Output {
  'orderId': (string);
}
