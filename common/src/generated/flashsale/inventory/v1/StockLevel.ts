// Original file: protos/inventory.proto

import type { Long } from '@grpc/proto-loader';

export interface StockLevel {
  'product_id'?: (string);
  'available'?: (number | string | Long);
  'reserved'?: (number | string | Long);
  'sold'?: (number | string | Long);
}

export interface StockLevel__Output {
  'product_id': (string);
  'available': (number);
  'reserved': (number);
  'sold': (number);
}
