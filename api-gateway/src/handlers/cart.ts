import { addToCartReply, type AddToCartJob } from '../../../contracts/messages';
import { IDEMPOTENCY_KEY_HEADER } from '../http/contract';
import { addToCartRequestIdFor } from '../domain/ids';
import { addToCartOutcome } from '../domain/outcomes';
import { type Handlers, type HandlerDeps, ok } from './types';

export function cartHandlers(deps: HandlerDeps): Pick<Handlers, 'addToCart' | 'getCart'> {
  return {
    async addToCart({ body, headers }) {
      const requestID = addToCartRequestIdFor(body, headers[IDEMPOTENCY_KEY_HEADER]);
      // Past the wait the client gets 503 and retries: a job still queued by
      // then is dropped by the cart manager instead of piling up behind retries.
      const job: AddToCartJob = {
        requestID,
        clientID: body.clientID,
        productID: body.productID,
        quantity: body.quantity,
        deadline: Date.now() + deps.config.ADD_TO_CART_WAIT_MS,
      };
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
