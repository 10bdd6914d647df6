import type { Broker } from '../../../common/src/amqp/broker';
import type { BatchConsumerSpec, Delivery } from '../../../common/src/amqp/consume';
import { type Pool, RetryTransaction, withTransaction } from '../../../common/src/db';
import type { Logger } from '../../../common/src/logger';
import { type AddToCartJob, type AddToCartReply, addToCartJob } from '../../../contracts/messages';
import { type CrashConfig, crashPoint } from '../../../common/src/crash';
import { addToCartLines, lockCartLines } from '../db/carts';
import { findOutcomes, recordOutcomes } from '../db/processed-messages';
import { readStocks } from '../db/products';
import { decideAddToCarts } from '../domain/add-to-cart-batch';
import { rowKey } from '../domain/row-key';
import { type BatchOptions, withDataErrorsFinal } from './batching';

export interface AddToCartDeps {
  pool: Pool;
  broker: Broker;
  log: Logger;
  maxPerLine: number;
  crash?: CrashConfig;
}

/**
 * The consumer of `<prefix>.cart.add`, in adaptive batches: each batch is
 * applied in one transaction, then every job is answered on its own.
 */
export function addToCartConsumer(deps: AddToCartDeps, queue: string, batching: BatchOptions): BatchConsumerSpec<AddToCartJob> {
  return {
    queue,
    schema: addToCartJob,
    maxBatch: batching.maxBatch,
    concurrency: batching.concurrency,
    logFields: (job) => ({ clientId: job.clientID, productId: job.productID, requestId: job.requestID }),
    handleBatch: (batch) => withDataErrorsFinal(batch.length, () => handleAddToCartBatch(deps, batch)),
  };
}

export async function handleAddToCartBatch(deps: AddToCartDeps, batch: readonly Delivery<AddToCartJob>[]): Promise<{ ok: true }[]> {
  const now = Date.now();
  const live = batch.filter((d) => {
    if (d.message.deadline === undefined || now <= d.message.deadline) return true;
    // The gateway already answered 503 (retry): applying it now would only
    // add work behind the retries. A retry with the same key is applied once.
    if (deps.log.isLevelEnabled('debug')) d.ctx.log.debug('add-to-cart past its deadline, dropped unapplied');
    return false;
  });
  const replies = await addToCarts(deps, live.map((d) => d.message));
  live.forEach((d, i) => {
    if (deps.log.isLevelEnabled('debug')) d.ctx.log.debug({ code: replies[i]!.code }, 'add to cart handled');
    deps.broker.reply(d.ctx, replies[i], () => d.ctx.log);
  });
  return batch.map(() => ({ ok: true }));
}

/**
 * Add the jobs' quantities to their cart lines, in one transaction: read the
 * recorded outcomes of all request ids (a redelivery replays its outcome),
 * the products' counters, lock the cart lines in primary key order, decide
 * each job in arrival order (domain/add-to-cart-batch.ts: per-line maximum,
 * then a soft check against what is available now; it reserves nothing,
 * checkout does), then record the applied request ids and add the units, one
 * statement each. Returns one reply per job, in order.
 */
export async function addToCarts(deps: Pick<AddToCartDeps, 'pool' | 'log' | 'maxPerLine' | 'crash'>, jobs: readonly AddToCartJob[]): Promise<AddToCartReply[]> {
  if (jobs.length === 0) return [];
  return withTransaction(
    deps.pool,
    async (conn) => {
      const recorded = await findOutcomes<AddToCartReply>(conn, jobs.map((j) => j.requestID));
      const fresh = jobs.filter((j) => !recorded.has(rowKey(j.requestID)));
      const stock = await readStocks(conn, fresh.map((j) => j.productID));
      const locked = await lockCartLines(
        conn,
        fresh.filter((j) => stock.has(rowKey(j.productID))).map((j) => ({ clientId: j.clientID, productId: j.productID })),
      );
      const lines = new Map(locked.map((l) => [rowKey(l.clientId, l.productId), l.quantity]));
      const decisions = decideAddToCarts(jobs, { recorded, stock, lines, maxPerLine: deps.maxPerLine });

      // Recorded already: the same request is being applied by another worker right now.
      if (!(await recordOutcomes(conn, decisions.toRecord))) throw new RetryTransaction('duplicate add-to-cart in flight');
      if (deps.crash && jobs.length > 1 && decisions.additions.length > 0) crashPoint('cart.mid-batch', deps.crash);
      await addToCartLines(conn, decisions.additions);
      return decisions.replies;
    },
    { log: deps.log },
  );
}
