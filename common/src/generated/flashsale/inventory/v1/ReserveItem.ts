// Original file: protos/inventory.proto


export interface ReserveItem {
  'product_id'?: (string);
  'quantity'?: (number);
}

export interface ReserveItem__Output {
  'product_id': (string);
  'quantity': (number);
}
