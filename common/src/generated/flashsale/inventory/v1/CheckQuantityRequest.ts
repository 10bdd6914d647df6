// Original file: protos/inventory.proto


export interface CheckQuantityRequest {
  'productId'?: (string);
}

export interface CheckQuantityRequest__Output {
  'productId': (string);
}
