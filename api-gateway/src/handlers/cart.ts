import DataLoader from 'dataloader';
import { addToCartReply, type AddToCartJob, type AddToCartReply } from '../../../contracts/messages';
import { IDEMPOTENCY_KEY_HEADER, type RouteInput, type Routes } from '../http/contract';
import type { StockRefusal } from '../../../common/src/stock-levels/view';
import { addToCartRequestIdFor } from '../domain/ids';
import { addToCartOutcome, failure, type HttpReply } from '../domain/outcomes';
import { type Handlers, type HandlerDeps, ok } from './types';

type AddToCartInput = RouteInput<Routes['addToCart']>['body'];

/** Most request ids one lookup of recorded answers asks for. */
const OUTCOME_LOOKUP_MAX = 500;

/** How long a lookup waits for others to share its query: a refusal at the door is answered this much later. */
const OUTCOME_LOOKUP_WINDOW_MS = 5;

export function cartHandlers(deps: HandlerDeps): Pick<Handlers, 'addToCart' | 'getCart'> {
  // The idempotency lookups of a few milliseconds share one query; no cache:
  // an answer recorded later must be seen. DataLoader's default batch (the
  // current job) holds one HTTP request, each running in its own job: that
  // sent one query per refused add (2,700 queries of one id in a 10-unit
  // sale), and closing the batch at setImmediate still averaged 1.6 ids.
  const recorded = new DataLoader<string, AddToCartReply | null>(
    async (ids) => {
      const found = await deps.store.addToCartOutcomes(ids);
      return ids.map((id) => found.get(id) ?? null);
    },
    { cache: false, maxBatchSize: OUTCOME_LOOKUP_MAX, batchScheduleFn: (dispatch) => setTimeout(dispatch, OUTCOME_LOOKUP_WINDOW_MS) },
  );

  /** The answer the cart manager recorded for this request, null if none; undefined when it could not be read (ask the cart manager). */
  const recordedAnswer = (requestID: string): Promise<AddToCartReply | null | undefined> =>
    recorded.load(requestID).catch((err: unknown) => {
      deps.log.debug({ err }, 'recorded add-to-cart answers could not be read: asking the cart manager');
      return undefined;
    });

  /** Ask the cart manager; past the wait the client gets 503 and retries. */
  const askCartManager = (body: AddToCartInput, requestID: string): Promise<HttpReply> => {
    // A job still queued past its deadline is dropped by the cart manager
    // instead of piling up behind the retries.
    const job: AddToCartJob = {
      requestID,
      clientID: body.clientID,
      productID: body.productID,
      quantity: body.quantity,
      deadline: Date.now() + deps.config.ADD_TO_CART_WAIT_MS,
    };
    return deps.rpc.request(deps.topology.addToCart, job, addToCartReply, {
      timeoutMs: deps.config.ADD_TO_CART_WAIT_MS,
      messageId: requestID,
    }).then(addToCartOutcome);
  };

  /**
   * Refused at the door from the pushed stock levels: no unit can be had now.
   * A retry of a request that was applied gets its first answer (the lookup;
   * without a key the request is new). Unknown or stale levels refuse
   * nothing, and nothing is ever granted here.
   */
  const refuseAtDoor = async (body: AddToCartInput, key: string | undefined, requestID: string, refusal: StockRefusal): Promise<HttpReply> => {
    const answer = key === undefined ? null : await recordedAnswer(requestID);
    if (answer) return addToCartOutcome({ timedOut: false, reply: answer });
    if (answer === null) {
      deps.doorRefusals.inc({ code: refusal.code });
      return failure(refusal.code, refusal.message);
    }
    return askCartManager(body, requestID);
  };

  return {
    // Not async on its way to the cart manager: under a burst 10,000 wait for
    // it at once, and a suspended async function holds its frame meanwhile.
    addToCart({ body, headers }) {
      const key = headers[IDEMPOTENCY_KEY_HEADER];
      const requestID = addToCartRequestIdFor(body, key);
      const refusal = deps.levels.refusal(body.productID, body.quantity);
      return refusal ? refuseAtDoor(body, key, requestID, refusal) : askCartManager(body, requestID);
    },

    async getCart({ params }) {
      return ok(await deps.store.getCart(params.clientID));
    },
  };
}
