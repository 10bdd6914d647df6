import DataLoader from 'dataloader';
import { addToCartReply, type AddToCartJob, type AddToCartReply } from '../../../contracts/messages';
import { IDEMPOTENCY_KEY_HEADER } from '../http/contract';
import { addToCartRequestIdFor } from '../domain/ids';
import { addToCartOutcome, failure } from '../domain/outcomes';
import { type Handlers, type HandlerDeps, ok } from './types';

/** Most request ids one lookup of recorded answers asks for. */
const OUTCOME_LOOKUP_MAX = 500;

export function cartHandlers(deps: HandlerDeps): Pick<Handlers, 'addToCart' | 'getCart'> {
  // The idempotency lookups of one event-loop turn share one query (DataLoader
  // gathers the ids asked for in a turn); no cache: an answer recorded later must be seen.
  const recorded = new DataLoader<string, AddToCartReply | null>(
    async (ids) => {
      const found = await deps.store.addToCartOutcomes(ids);
      return ids.map((id) => found.get(id) ?? null);
    },
    { cache: false, maxBatchSize: OUTCOME_LOOKUP_MAX },
  );

  /** The answer the cart manager recorded for this request, null if none; undefined when it could not be read (ask the cart manager). */
  const recordedAnswer = (requestID: string): Promise<AddToCartReply | null | undefined> =>
    recorded.load(requestID).catch((err: unknown) => {
      deps.log.debug({ err }, 'recorded add-to-cart answers could not be read: asking the cart manager');
      return undefined;
    });

  return {
    async addToCart({ body, headers }) {
      const key = headers[IDEMPOTENCY_KEY_HEADER];
      const requestID = addToCartRequestIdFor(body, key);
      // Refused at the door from the pushed stock levels: no unit can be had
      // now. A retry of a request that was applied gets its first answer (the
      // lookup; without a key the request is new). Unknown or stale levels
      // refuse nothing, and nothing is ever granted here.
      const refusal = deps.levels.refusal(body.productID, body.quantity);
      if (refusal) {
        const answer = key === undefined ? null : await recordedAnswer(requestID);
        if (answer) return addToCartOutcome({ timedOut: false, reply: answer });
        if (answer === null) {
          deps.doorRefusals.inc({ code: refusal.code });
          return failure(refusal.code, refusal.message);
        }
      }
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
