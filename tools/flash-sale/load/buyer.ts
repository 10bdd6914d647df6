/**
 * What one buyer does after the release, like a good client: add each cart
 * line, check out, and poll its order while the answer is Pending (202). A
 * refusal that may come back (ALL_RESERVED, not final in the catalog) is tried
 * again after Retry-After with a new Idempotency-Key, the refused attempt being
 * final under its key. Only a final outcome answers a buyer (200, 402, 409,
 * 400, or a final order state from polling); 202, 429 and 503 do not.
 */
import { DeadlineReached, type Deadline } from './deadline';
import { BuyerFailed, codeOf, type GatewayClient } from './gateway-client';
import type { Final, RunMetrics } from './metrics';
import { mayComeBack, outcomeOf } from './outcomes';
import type { CartLine } from './types';

const DEFAULT_POLL_MS = 500;

export interface BuyerScriptOptions {
  /** ALL_RESERVED is tried again (true) or is a final sold_out (false). */
  retryAllReserved: boolean;
  /** Fixed interval of GET /orders/:id after a 202; default: Retry-After, else 500 ms. */
  pollIntervalMs?: number;
}

export class BuyerScript {
  constructor(
    private readonly gateway: GatewayClient,
    private readonly metrics: RunMetrics,
    private readonly deadline: Deadline,
    private readonly options: BuyerScriptOptions,
  ) {}

  /** Buyer i to the end: its final answer, or why it has none (DEADLINE, a failure code). Never rejects. */
  async run(i: number, clientID: string, cart: CartLine[] | 'floor'): Promise<Final> {
    try {
      return cart === 'floor' ? await this.floor(i) : await this.shop(i, clientID, cart);
    } catch (err) {
      if (err instanceof DeadlineReached) return { outcome: 'unanswered', code: 'DEADLINE' };
      if (err instanceof BuyerFailed) return { outcome: 'error', code: err.code };
      this.metrics.noteUnexpected(err);
      return { outcome: 'error', code: 'CLIENT_EXCEPTION' };
    }
  }

  /** Floor mode: two GET /healthz, the second sent when the first is answered. */
  private async floor(i: number): Promise<Final> {
    for (let k = 0; k < 2; k++) {
      const reply = await this.gateway.call(i, 'healthz', 'GET', '/healthz');
      if (reply.status !== 200) return { outcome: 'error', code: codeOf(reply) || `HTTP_${reply.status}` };
    }
    return { outcome: 'floor_ok', code: '' };
  }

  private async shop(i: number, clientID: string, cart: CartLine[]): Promise<Final> {
    let units = 0;
    for (let line = 0; line < cart.length; line++) {
      const { productID, quantity } = cart[line]!;
      units += quantity;
      const body = JSON.stringify({ clientID, productID, quantity });
      for (let attempt = 0; ; attempt++) {
        const reply = await this.gateway.call(i, 'addToCart', 'POST', '/addToCart', body, `a${line}.${attempt}`);
        if (reply.status === 200) break;
        const code = codeOf(reply);
        if (reply.status === 409 && this.retriesLater(code)) {
          this.metrics.retriedAllReserved('addToCart');
          await this.gateway.backOff(reply.retryAfterS, attempt + 1);
          continue;
        }
        return { outcome: outcomeOf(reply.status, code), code };
      }
    }

    const body = JSON.stringify({ clientID });
    for (let attempt = 0; ; attempt++) {
      const reply = await this.gateway.call(i, 'checkOutCart', 'POST', '/checkOutCart', body, `c${attempt}`);
      let status = reply.status;
      let code = codeOf(reply);
      let retryAfterS = reply.retryAfterS;
      const orderID = typeof reply.body?.orderID === 'string' ? reply.body.orderID : undefined;
      let total = typeof reply.body?.total === 'number' ? reply.body.total : undefined;
      let finalUnits = units;
      if (status === 202) {
        if (!orderID) throw new BuyerFailed('PENDING_WITHOUT_ORDER_ID');
        const order = await this.poll(i, orderID, reply.retryAfterS);
        status = order.status === 'confirmed' ? 200 : 0;
        code = typeof order.code === 'string' ? order.code : '';
        total = typeof order.total === 'number' ? order.total : total;
        if (Array.isArray(order.items)) finalUnits = order.items.reduce((sum: number, it: { quantity?: unknown }) => sum + (typeof it.quantity === 'number' ? it.quantity : 0), 0);
        retryAfterS = undefined;
      }
      if (status === 200) return { outcome: 'confirmed', code: '', orderID, units: finalUnits, total };
      if (this.retriesLater(code)) {
        this.metrics.retriedAllReserved('checkOutCart');
        await this.gateway.backOff(retryAfterS, attempt + 1);
        continue;
      }
      return { outcome: outcomeOf(status, code), code, orderID };
    }
  }

  /** A refusal this buyer tries again after Retry-After: out of stock for now only, when the plan says so. */
  private retriesLater(code: string): boolean {
    return this.options.retryAllReserved && mayComeBack(code);
  }

  /** Poll GET /orders/:id until the order is final. */
  private async poll(i: number, orderID: string, retryAfterS: number | undefined): Promise<Record<string, any>> {
    this.metrics.pending++;
    try {
      let delay = this.pollDelay(retryAfterS);
      for (;;) {
        await this.deadline.wait(delay);
        const reply = await this.gateway.call(i, 'getOrder', 'GET', `/orders/${encodeURIComponent(orderID)}`);
        if (reply.status === 200 && reply.body) {
          const status = reply.body.status;
          if (status === 'confirmed' || status === 'failed') return reply.body;
        } else if (reply.status !== 404) {
          // 404: the order is not recorded yet (the job is queued); anything else is unexpected.
          throw new BuyerFailed(`POLL_${codeOf(reply) || `HTTP_${reply.status}`}`);
        }
        delay = this.pollDelay(reply.retryAfterS);
      }
    } finally {
      this.metrics.pending--;
    }
  }

  private pollDelay(retryAfterS: number | undefined): number {
    return this.options.pollIntervalMs ?? (retryAfterS !== undefined ? retryAfterS * 1000 : DEFAULT_POLL_MS);
  }
}
