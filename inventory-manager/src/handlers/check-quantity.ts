import type { CheckQuantityRequest__Output } from '../../../common/src/generated/flashsale/inventory/v1/CheckQuantityRequest';
import type { StockLevel } from '../../../common/src/generated/flashsale/inventory/v1/StockLevel';
import type { ProductRepo } from '../db/products';
import { validateProductId } from '../domain/order-items';

/** CheckQuantity: a product's counters, read without a lock. */
export function checkQuantity(products: Pick<ProductRepo, 'checkQuantity'>): (req: CheckQuantityRequest__Output) => Promise<StockLevel> {
  return async (req) => {
    const level = await products.checkQuantity(validateProductId(req.product_id));
    return { product_id: level.productId, available: level.available, reserved: level.reserved, sold: level.sold };
  };
}
