import { setTimeout as sleep } from 'node:timers/promises';
import type { Broker } from '../../../common/src/amqp/broker';
import type { BatchConsumerSpec, BatchItemOutcome, Delivery } from '../../../common/src/amqp/consume';
import { type Pool, RetryTransaction, isDuplicateKey, withTransaction } from '../../../common/src/db';
import type { Logger } from '../../../common/src/logger';
import { type CheckoutJob, MAX_ORDERS_PER_JOB, ORDERS_HEADER, type ProcessOrderJob, checkoutJob, checkoutReplyOf } from '../../../contracts/messages';
import { TransientError } from '../../../common/src/errors';
import { type CrashConfig, crashPoint } from '../../../common/src/crash';
import { cartsByClient, lockCarts } from '../db/carts';
import { findOrders, findPendingOrders, insertItems, insertOrders } from '../db/orders';
import { databaseNow, readPricing } from '../db/products';
import { type BatchStep, type CheckoutStep, type DecideOptions, decideCheckouts } from '../domain/checkout-batch';
import { rowKey } from '../domain/row-key';
import { type BatchOptions, withDataErrorsFinal } from './batching';

export type { CheckoutStep } from '../domain/checkout-batch';

export interface CheckoutDeps {
  pool: Pool;
  broker: Broker;
  log: Logger;
  /** Where a pending order goes next: `<prefix>.checkout.process`. */
  processOrderQueue: string;
  crash: CrashConfig;
  /**
   * How long a checkout whose units are all held by pending payments waits
   * for them to end before it is answered ALL_RESERVED (ALL_RESERVED_WAIT_MS;
   * 0: answered at once).
   */
  allReservedWaitMs: number;
}

/** How often a held checkout looks at the stock again while it waits. */
export const HELD_RECHECK_MS = 100;

/**
 * The consumer of `<prefix>.cart.checkout`, in adaptive batches: make the
 * batch's orders in one transaction, then hand each pending order to the
 * checkout manager or answer a refusal here.
 */
export function checkoutConsumer(deps: CheckoutDeps, queue: string, batching: BatchOptions): BatchConsumerSpec<CheckoutJob> {
  return {
    queue,
    schema: checkoutJob,
    maxBatch: batching.maxBatch,
    concurrency: batching.concurrency,
    logFields: (job) => ({ orderId: job.orderID, clientId: job.clientID }),
    handleBatch: (batch) => withDataErrorsFinal(batch.length, () => handleCheckoutBatch(deps, batch)),
  };
}

/**
 * Decide the batch's checkouts and settle each: make the orders in one
 * transaction, then hand the pending ones to the checkout manager and answer
 * the final ones (settleSteps). A checkout whose units are all held by pending
 * payments is not refused yet: while allReservedWaitMs lasts, those held are
 * decided again every HELD_RECHECK_MS, in a transaction of their own, until
 * the holds have ended (a sale: SOLD_OUT; a decline or an expiry: the unit is
 * theirs to reserve); then, or once the wait is over, they are answered. A
 * payment takes a fraction of a second, so in a sale's rush the losers hear
 * a final answer where they used to hear "try again", and do not come back.
 * Nothing is held in the database meanwhile (no lock, no row): a crash
 * redelivers the waiting messages, which are decided anew.
 */
export async function handleCheckoutBatch(deps: CheckoutDeps, batch: readonly Delivery<CheckoutJob>[]): Promise<BatchItemOutcome[]> {
  const outcomes: BatchItemOutcome[] = new Array<BatchItemOutcome>(batch.length);
  const waitUntil = Date.now() + deps.allReservedWaitMs;
  let todo = batch.map((_, i) => i);
  for (;;) {
    const part = todo.map((i) => batch[i]!);
    const steps = await createOrders(deps, part.map((d) => d.message), { waitOnHolds: Date.now() < waitUntil });
    const settled = await settleSteps(deps, part, steps);
    todo = todo.filter((i, j) => {
      const outcome = settled[j];
      if (outcome) outcomes[i] = outcome;
      return !outcome;
    });
    if (todo.length === 0) return outcomes;
    await sleep(Math.max(0, Math.min(HELD_RECHECK_MS, waitUntil - Date.now())));
  }
}

/**
 * After the commit: publish one process job for the part's pending orders
 * (confirmed; more than MAX_ORDERS_PER_JOB are split), answer the final ones,
 * and say per delivery whether its work is done (undefined: held, decided
 * later). A publish that failed leaves its deliveries to be retried: each
 * redelivery finds its pending order and publishes again, as after a crash
 * between the commit and the publish.
 */
async function settleSteps(
  deps: CheckoutDeps,
  batch: readonly Delivery<CheckoutJob>[],
  steps: readonly BatchStep[],
): Promise<(BatchItemOutcome | undefined)[]> {
  if (steps.some((s) => s.kind === 'process')) crashPoint('cart.after-order-commit', deps.crash);
  const handOver = batch.filter((_, i) => steps[i]!.kind === 'process');
  const unpublished = new Map<Delivery<CheckoutJob>, unknown>();
  // The batch's pending orders in one message (or a few), each with its own reply address.
  for (let at = 0; at < handOver.length; at += MAX_ORDERS_PER_JOB) {
    const part = handOver.slice(at, at + MAX_ORDERS_PER_JOB);
    const next: ProcessOrderJob = {
      orders: part.map(({ message, ctx }) => ({
        orderID: message.orderID,
        ...(ctx.replyTo ? { replyTo: ctx.replyTo } : {}),
        ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}),
        ...(ctx.bundled ? { bundled: true } : {}),
      })),
    };
    try {
      await deps.broker.sendToQueue(deps.processOrderQueue, next, { messageId: `process:${part[0]!.message.orderID}:${part.length}`, headers: { [ORDERS_HEADER]: part.length } });
      if (deps.log.isLevelEnabled('debug')) for (const { ctx } of part) ctx.log.debug('order created, handed to the checkout manager');
    } catch (err) {
      for (const d of part) unpublished.set(d, err);
      deps.log.warn({ err, orders: part.length }, 'process-order job not published; its checkouts are retried');
    }
  }
  // A recheck that found every held checkout still held decided nothing: no line for it.
  if (steps.some((s) => s.kind !== 'held')) deps.log.info(batchSummary(steps), 'checkout batch done');
  return batch.map(({ ctx }, i): BatchItemOutcome | undefined => {
    const step = steps[i]!;
    if (step.kind === 'held') return undefined;
    if (step.kind === 'final') {
      if (deps.log.isLevelEnabled('debug')) ctx.log.debug({ status: step.order.status, code: step.order.code }, 'checkout answered by the cart manager');
      deps.broker.reply(ctx, checkoutReplyOf(step.order), () => ctx.log);
      return { ok: true };
    }
    const d = batch[i]!;
    return unpublished.has(d) ? { ok: false, err: new TransientError('the process-order job was not published', { cause: unpublished.get(d) }) } : { ok: true };
  });
}

/**
 * One info line per batch (the per-order lines are debug: under a burst a
 * line per order was 8% of the worker's CPU, and the orders table holds each
 * order's story): how many orders went on to the checkout manager, and the
 * others by status and code.
 */
export function batchSummary(steps: readonly BatchStep[]): Record<string, unknown> {
  const answered: Record<string, number> = {};
  let handedOver = 0;
  let held = 0;
  for (const step of steps) {
    if (step.kind === 'process') handedOver++;
    else if (step.kind === 'held') held++;
    else {
      const key = step.order.code ? `${step.order.status}:${step.order.code}` : step.order.status;
      answered[key] = (answered[key] ?? 0) + 1;
    }
  }
  return { size: steps.length, handedOver, answered, ...(held > 0 ? { held } : {}) };
}

type CreateDeps = { pool: Pool; log: Logger; crash?: CrashConfig };

/**
 * Turn the clients' carts into orders, one transaction for the batch: read
 * the orders that exist already (the order id is the idempotency key: a
 * redelivery goes on from where its order is), lock the other jobs' clients'
 * carts, read those clients' pending orders, price every cart with one
 * product read at one database time, decide each job in arrival order
 * (domain/checkout-batch.ts), and insert all new orders, then all their
 * items, one statement each. A refused checkout (empty cart, one already in
 * flight, deal closed) is recorded as a failed order, so every order id the
 * gateway handed out resolves. Returns one step per job, in order.
 *
 * If an insert still hits a unique key (another worker inserted the same
 * order, or a pending order of the client, and committed while this batch
 * waited), the transaction starts over: it then reads what that worker wrote.
 * With `waitOnHolds`, a checkout refused ALL_RESERVED is 'held' and recorded
 * nowhere (decideCheckouts).
 */
export async function createOrders(deps: CreateDeps, jobs: readonly CheckoutJob[]): Promise<CheckoutStep[]>;
export async function createOrders(deps: CreateDeps, jobs: readonly CheckoutJob[], options: DecideOptions): Promise<BatchStep[]>;
export async function createOrders(deps: CreateDeps, jobs: readonly CheckoutJob[], options: DecideOptions = {}): Promise<BatchStep[]> {
  if (jobs.length === 0) return [];
  return withTransaction(
    deps.pool,
    async (conn) => {
      const existing = await findOrders(conn, jobs.map((j) => j.orderID));
      const fresh = jobs.filter((j) => !existing.has(rowKey(j.orderID)));
      const clients = fresh.map((j) => j.clientID);
      const carts = cartsByClient(await lockCarts(conn, clients));
      // Read after the cart lock: a pending order is only ever created under
      // its client's cart lock, so any other worker's is committed by now.
      const pendingByClient = await findPendingOrders(conn, clients);
      for (const order of pendingByClient.values()) existing.set(rowKey(order.orderId), order);
      const productIds = [...new Set([...carts.values()].flat().map((l) => l.productId))];
      const products = await readPricing(conn, productIds);
      // Only carts are priced: a batch of replays and empty carts reads no clock.
      const now = carts.size > 0 ? await databaseNow(conn) : new Date();
      const { steps, inserts } = decideCheckouts(jobs, { existing, pendingByClient, carts, products, now }, options);

      try {
        await insertOrders(conn, inserts);
      } catch (err) {
        if (isDuplicateKey(err)) throw new RetryTransaction('order or pending order inserted concurrently');
        throw err;
      }
      if (deps.crash && jobs.length > 1 && inserts.length > 0) crashPoint('cart.mid-batch', deps.crash);
      await insertItems(conn, inserts);
      return steps;
    },
    { log: deps.log },
  );
}

/** One checkout job on its own (a batch of one). */
export async function createOrder(pool: Pool, log: Logger, job: CheckoutJob): Promise<CheckoutStep> {
  const [step] = await createOrders({ pool, log }, [job]);
  return step!;
}
