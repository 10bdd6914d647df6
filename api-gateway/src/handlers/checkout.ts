import { checkoutReply, type CheckoutJob } from '../../../contracts/messages';
import { IDEMPOTENCY_KEY_HEADER } from '../http/contract';
import { orderIdFor } from '../domain/ids';
import { checkoutOutcome } from '../domain/outcomes';
import type { Handlers, HandlerDeps } from './types';

export function checkoutHandlers(deps: HandlerDeps): Pick<Handlers, 'checkout'> {
  return {
    // Not async: under a burst 10,000 checkouts wait for the cart manager at
    // once, and a suspended async function holds its frame meanwhile.
    checkout({ body, headers }) {
      const orderID = orderIdFor(body.clientID, headers[IDEMPOTENCY_KEY_HEADER]);
      const job: CheckoutJob = { orderID, clientID: body.clientID };
      return deps.rpc
        .request(deps.topology.checkout, job, checkoutReply, {
          timeoutMs: deps.config.CHECKOUT_WAIT_MS,
          messageId: orderID,
        })
        .then((result) => {
          if (!result.timedOut && result.reply.orderID !== orderID) {
            deps.log.warn({ orderId: orderID, replyOrderId: result.reply.orderID }, 'checkout reply names another order');
          }
          return checkoutOutcome(orderID, result);
        });
    },
  };
}
