/**
 * A checkout whose units are all held by pending payments waits for them
 * (ALL_RESERVED_WAIT_MS) instead of being told to try again: through real
 * processes, a payment that succeeds leaves the waiting buyer a final
 * SOLD_OUT, one that is declined leaves it the unit, and a wait that runs out
 * answers ALL_RESERVED as before. The mock payment's latency holds the unit
 * long enough for the second buyer to arrive while it is held.
 */
import { httpGet, httpPost, type HttpResult } from '../../tools/lib/http';
import { TestSystem } from '../support/system';
import { waitFor } from '../support/wait';

let n = 0;
const buyer = (tag: string) => `${tag}-${++n}-${Date.now().toString(36)}`;

const add = (url: string, clientID: string, productID: string): Promise<HttpResult> => httpPost(`${url}/addToCart`, { clientID, productID, quantity: 1 });
const checkout = (url: string, clientID: string): Promise<HttpResult> => httpPost(`${url}/checkOutCart`, { clientID });

/** A checkout answered, and when (ms since the epoch). */
async function timed(p: Promise<HttpResult>): Promise<{ res: HttpResult; at: number }> {
  const res = await p;
  return { res, at: Date.now() };
}

/**
 * Two buyers with the only unit of `productID` in their carts; the first
 * checks out and, once its Reserve holds the unit (a third buyer's add is
 * refused ALL_RESERVED), the second checks out while the first one's payment runs.
 */
async function race(url: string, productID: string): Promise<{ first: Promise<{ res: HttpResult; at: number }>; second: { res: HttpResult; at: number }; secondSentAt: number }> {
  const holder = buyer('holder');
  const waiter = buyer('waiter');
  expect((await add(url, holder, productID)).status).toBe(200);
  expect((await add(url, waiter, productID)).status).toBe(200);
  const first = timed(checkout(url, holder));
  await waitFor('the unit held by the first payment', () => add(url, buyer('probe'), productID), (r) => r.body?.code === 'ALL_RESERVED', {
    timeoutMs: 5_000,
    everyMs: 20,
  });
  const secondSentAt = Date.now();
  const second = await timed(checkout(url, waiter));
  return { first, second, secondSentAt };
}

async function orderOf(url: string, res: HttpResult): Promise<HttpResult> {
  expect(typeof res.body?.orderID).toBe('string');
  return httpGet(`${url}/orders/${res.body.orderID as string}`);
}

describe('a checkout that finds every unit held waits for the payments holding them', () => {
  describe('the payment holding the unit succeeds', () => {
    let system: TestSystem;
    let url: string;
    beforeAll(async () => {
      system = await TestSystem.start({ env: { PAYMENT_LATENCY_MS: '800' } });
      url = system.gatewayUrl;
      await system.seed({ productId: 'P', stock: 1 });
    });
    afterAll(async () => system?.stop());

    test('then the waiting buyer is answered SOLD_OUT once it is sold, a final answer recorded as such, not ALL_RESERVED', async () => {
      const { first, second } = await race(url, 'P');
      const paid = await first;
      expect(paid.res.body).toMatchObject({ status: 'Success' });
      expect(second.res.status).toBe(409);
      expect(second.res.body).toMatchObject({ code: 'SOLD_OUT' });
      expect(second.res.headers.get('retry-after')).toBeNull();
      // It waited for the sale: its answer came after the first buyer's.
      expect(second.at).toBeGreaterThanOrEqual(paid.at);
      expect((await orderOf(url, second.res)).body).toMatchObject({ status: 'failed', code: 'SOLD_OUT' });
    });
  });

  describe('the payment holding the unit is declined', () => {
    let system: TestSystem;
    let url: string;
    beforeAll(async () => {
      system = await TestSystem.start({ env: { PAYMENT_LATENCY_MS: '800', PAYMENT_DECLINE_RATE: '1' } });
      url = system.gatewayUrl;
      await system.seed({ productId: 'Q', stock: 1 });
    });
    afterAll(async () => system?.stop());

    test('then the waiting buyer gets the unit back and goes on to pay for it (declined too: every payment here is)', async () => {
      const { first, second } = await race(url, 'Q');
      expect((await first).res.body).toMatchObject({ code: 'PAYMENT_DECLINED' });
      // PAYMENT_DECLINED, not ALL_RESERVED: its order reserved the unit the decline gave back.
      expect(second.res.body).toMatchObject({ code: 'PAYMENT_DECLINED' });
      expect((await orderOf(url, second.res)).body).toMatchObject({ status: 'failed', code: 'PAYMENT_DECLINED' });
    });
  });

  describe('the wait runs out before the payment ends', () => {
    let system: TestSystem;
    let url: string;
    beforeAll(async () => {
      system = await TestSystem.start({ env: { PAYMENT_LATENCY_MS: '3000' }, serviceEnv: { 'cart-manager': { ALL_RESERVED_WAIT_MS: '300' } } });
      url = system.gatewayUrl;
      await system.seed({ productId: 'R', stock: 1 });
    });
    afterAll(async () => system?.stop());

    test('then the waiting buyer is answered ALL_RESERVED with Retry-After, after the wait and before the payment ends', async () => {
      const { first, second, secondSentAt } = await race(url, 'R');
      expect(second.res.status).toBe(409);
      expect(second.res.body).toMatchObject({ code: 'ALL_RESERVED' });
      expect(Number(second.res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(second.at - secondSentAt).toBeGreaterThanOrEqual(300);
      const paid = await first;
      expect(paid.res.body).toMatchObject({ status: 'Success' });
      expect(second.at).toBeLessThan(paid.at);
    });
  });
});
