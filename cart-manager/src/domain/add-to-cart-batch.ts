import type { AddToCartJob, AddToCartReply } from '../../../contracts/messages';
import type { StockCounters } from '../../../contracts/stock';
import { cartLineRefusal } from './cart-line';
import { rowKey } from './row-key';

/** What a batch of add-to-cart jobs found in the database, read in its transaction. */
export interface AddToCartState {
  /** Outcomes already recorded, by rowKey(request id): those jobs replay them. */
  recorded: ReadonlyMap<string, AddToCartReply>;
  /** Counters of the products that exist, by rowKey(product id). */
  stock: ReadonlyMap<string, StockCounters>;
  /** Quantities of the cart lines that exist (locked), by rowKey(client id, product id). */
  lines: ReadonlyMap<string, number>;
  maxPerLine: number;
}

export interface CartLineAddition {
  clientId: string;
  productId: string;
  quantity: number;
}

export interface AddToCartDecisions {
  /** One reply per job, in the batch's order. */
  replies: AddToCartReply[];
  /** Outcomes to record (applied jobs only, each request id once). */
  toRecord: { messageId: string; outcome: AddToCartReply }[];
  /** Units to add, one entry per cart line (the jobs of a line summed). */
  additions: CartLineAddition[];
}

/**
 * Decide each job of a batch in arrival order, as if they had run one after
 * the other: a recorded request replays its outcome, a request id seen earlier
 * in the batch gets that first outcome (applied once), and every other job is
 * checked against its line as the earlier jobs of the batch left it (per-line
 * maximum, then the soft stock check). Only applied jobs are recorded: a
 * refused request may succeed when retried later, as before batching.
 */
export function decideAddToCarts(jobs: readonly AddToCartJob[], state: AddToCartState): AddToCartDecisions {
  const replies: AddToCartReply[] = [];
  const toRecord: AddToCartDecisions['toRecord'] = [];
  const decided = new Map<string, AddToCartReply>();
  const lines = new Map(state.lines);
  const additions = new Map<string, CartLineAddition>();
  for (const job of jobs) {
    const requestKey = rowKey(job.requestID);
    const earlier = state.recorded.get(requestKey) ?? decided.get(requestKey);
    if (earlier) {
      replies.push(earlier);
      continue;
    }
    const reply = decideOne(job, state, lines, additions);
    decided.set(requestKey, reply);
    replies.push(reply);
    if (reply.ok) toRecord.push({ messageId: job.requestID, outcome: reply });
  }
  return { replies, toRecord, additions: [...additions.values()] };
}

function decideOne(job: AddToCartJob, state: AddToCartState, lines: Map<string, number>, additions: Map<string, CartLineAddition>): AddToCartReply {
  const stock = state.stock.get(rowKey(job.productID));
  if (!stock) return { ok: false, code: 'PRODUCT_NOT_FOUND', error: `product ${job.productID} does not exist` };
  const lineKey = rowKey(job.clientID, job.productID);
  const wanted = (lines.get(lineKey) ?? 0) + job.quantity;
  const refusal = cartLineRefusal(job.productID, wanted, state.maxPerLine, stock);
  if (refusal) return { ok: false, code: refusal.code, error: refusal.message };
  lines.set(lineKey, wanted);
  const addition = additions.get(lineKey);
  if (addition) addition.quantity += job.quantity;
  else additions.set(lineKey, { clientId: job.clientID, productId: job.productID, quantity: job.quantity });
  return { ok: true, code: '', error: '' };
}
