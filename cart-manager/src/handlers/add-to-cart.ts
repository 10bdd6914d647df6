import type { Broker } from '../../../common/src/amqp/broker';
import type { ConsumerSpec } from '../../../common/src/amqp/consume';
import { type Pool, RetryTransaction, withTransaction } from '../../../common/src/db';
import type { Logger } from '../../../common/src/logger';
import { type AddToCartJob, type AddToCartReply, addToCartJob } from '../../../contracts/messages';
import { addToCartLine, lockCartLine } from '../db/carts';
import { findOutcome, recordOutcome } from '../db/processed-messages';
import { readStock } from '../db/products';
import { cartLineRefusal } from '../domain/cart-line';

export interface AddToCartDeps {
  pool: Pool;
  broker: Broker;
  maxPerLine: number;
}

/** The consumer of `<prefix>.cart.add`: apply the job once, answer the gateway. */
export function addToCartConsumer(deps: AddToCartDeps, queue: string): ConsumerSpec<AddToCartJob> {
  return {
    queue,
    schema: addToCartJob,
    logFields: (job) => ({ clientId: job.clientID, productId: job.productID, requestId: job.requestID }),
    handler: async (job, ctx) => {
      if (job.deadline !== undefined && Date.now() > job.deadline) {
        // The gateway already answered 503 (retry): applying it now would only
        // add work behind the retries. A retry with the same key is applied once.
        ctx.log.debug('add-to-cart past its deadline, dropped unapplied');
        return;
      }
      const reply = await addToCart(deps.pool, ctx.log, job, deps.maxPerLine);
      ctx.log.debug({ code: reply.code }, 'add to cart handled');
      deps.broker.reply(ctx, reply, ctx.log);
    },
  };
}

/**
 * Add quantities to the client's cart line. A soft check against what is
 * available now (it reserves nothing: checkout does). The request id is stored
 * in the same transaction, so a redelivered message replays its outcome
 * instead of adding the quantity twice.
 */
export async function addToCart(pool: Pool, log: Logger, job: AddToCartJob, maxPerLine: number): Promise<AddToCartReply> {
  return withTransaction(
    pool,
    async (conn) => {
      const done = await findOutcome<AddToCartReply>(conn, job.requestID);
      if (done) return done;

      const stock = await readStock(conn, job.productID);
      if (!stock) return refuse('PRODUCT_NOT_FOUND', `product ${job.productID} does not exist`);

      const wanted = (await lockCartLine(conn, job.clientID, job.productID)) + job.quantity;
      const refusal = cartLineRefusal(job.productID, wanted, maxPerLine, stock);
      if (refusal) return refuse(refusal.code, refusal.message);

      const outcome: AddToCartReply = { ok: true, code: '', error: '' };
      // Recorded already: the same request is being applied by another worker right now.
      if (!(await recordOutcome(conn, job.requestID, outcome))) throw new RetryTransaction('duplicate add-to-cart in flight');
      await addToCartLine(conn, job.clientID, job.productID, job.quantity);
      return outcome;
    },
    { log },
  );
}

function refuse(code: AddToCartReply['code'], error: string): AddToCartReply {
  return { ok: false, code, error };
}
