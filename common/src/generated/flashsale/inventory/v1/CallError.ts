// Original file: protos/inventory.proto


export interface CallError {
  'code'?: (string);
  'message'?: (string);
}

export interface CallError__Output {
  'code': (string);
  'message': (string);
}
