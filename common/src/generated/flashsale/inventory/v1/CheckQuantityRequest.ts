// Original file: protos/inventory.proto


export interface CheckQuantityRequest {
  'product_id'?: (string);
}

export interface CheckQuantityRequest__Output {
  'product_id': (string);
}
