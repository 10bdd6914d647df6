import { addToCartReply, type AddToCartJob } from '../../../common/src/messages';
import { IDEMPOTENCY_KEY_HEADER } from '../contract';
import { addToCartRequestIdFor } from '../domain/ids';
import { addToCartOutcome } from '../domain/outcomes';
import { type Handlers, type HandlerDeps, ok } from './types';

export function cartHandlers(deps: HandlerDeps): Pick<Handlers, 'addToCart' | 'getCart'> {
  return {
    async addToCart({ body, headers }) {
      const requestID = addToCartRequestIdFor(body, headers[IDEMPOTENCY_KEY_HEADER]);
      const job: AddToCartJob = { requestID, clientID: body.clientID, productID: body.productID, quantity: body.quantity };
      const result = await deps.rpc.request(deps.topology.addToCart, job, addToCartReply, {
        timeoutMs: deps.config.ADD_TO_CART_WAIT_MS,
        messageId: requestID,
      });
      return addToCartOutcome(result);
    },

    async getCart({ params }) {
      return ok(await deps.store.getCart(params.clientID));
    },
  };
}
