// Original file: protos/inventory.proto


export interface ReserveItem {
  'productId'?: (string);
  'quantity'?: (number);
}

export interface ReserveItem__Output {
  'productId': (string);
  'quantity': (number);
}
