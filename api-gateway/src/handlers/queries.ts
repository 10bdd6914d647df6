import { AppError } from '../../../common/src/errors';
import { type Handlers, type HandlerDeps, ok } from './types';

export function queryHandlers(deps: HandlerDeps): Pick<Handlers, 'getOrder' | 'listOrders' | 'listProducts' | 'getProduct'> {
  return {
    async getOrder({ params }) {
      // Ids are stored lowercase and the column compares bytes.
      const orderID = params.orderID.toLowerCase();
      const order = await deps.store.getOrder(orderID);
      if (!order) throw new AppError({ code: 'ORDER_NOT_FOUND', message: `no order ${orderID}` });
      return { ...ok(order), orderId: orderID };
    },

    async listOrders({ query }) {
      return ok({ orders: await deps.store.listOrders(query.clientID) });
    },

    async listProducts() {
      return ok({ products: await deps.store.listProducts() });
    },

    async getProduct({ params }) {
      const product = await deps.store.getProduct(params.productID);
      if (!product) throw new AppError({ code: 'PRODUCT_NOT_FOUND', message: `no product ${params.productID}` });
      return ok(product);
    },
  };
}
