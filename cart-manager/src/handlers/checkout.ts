import { type Pool, type PoolConnection, type RowDataPacket, RetryTransaction, isDuplicateKey, withTransaction } from '../../../common/src/db';
import type { ErrorCode } from '../../../contracts/errors';
import type { Logger } from '../../../common/src/logger';
import type { CheckoutJob } from '../../../contracts/messages';
import { readOrder } from '../../../db/orders';
import type { OrderSummary } from '../../../contracts/messages';
import { type CartLine, type PricedProduct, priceCart } from '../domain/pricing';

interface CartRow extends RowDataPacket {
  product_id: string;
  quantity: number;
}

interface ProductRow extends RowDataPacket {
  product_id: string;
  price_cents: number;
  deal_price_cents: number | null;
  deal_starts_at: Date | null;
  deal_ends_at: Date | null;
  deal_only: number;
}

/** What the cart manager did with a checkout job. */
export type CheckoutStep =
  /** The order is pending: hand it to the checkout manager (again, on a redelivery). */
  | { kind: 'process'; order: OrderSummary }
  /** The order is final already (refused here, or finished earlier): reply with it. */
  | { kind: 'final'; order: OrderSummary };

/**
 * Turn the client's cart into an order, in one transaction: lock the cart rows,
 * insert the order (pending) with its items priced now. The order id is the
 * idempotency key: a redelivery finds the order and goes on from where it is.
 * A refused checkout (empty cart, one already in flight, deal closed) is
 * recorded as a failed order, so every order id the gateway handed out resolves.
 */
export async function createOrder(pool: Pool, log: Logger, job: CheckoutJob): Promise<CheckoutStep> {
  const existing = await readOrder(pool, job.orderID);
  if (existing) return existing.status === 'pending' ? { kind: 'process', order: existing } : { kind: 'final', order: existing };

  try {
    return await withTransaction(pool, (conn) => insertOrder(conn, job), { log });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    if (String((err as Error).message).includes('uq_orders_pending_client')) {
      // The schema refused a second pending order of this client: record the
      // refusal so this order id resolves too.
      return withTransaction(pool, (conn) => insertFailedOrder(conn, job, 'CHECKOUT_IN_PROGRESS', 'another checkout of this client is in progress'), { log });
    }
    // Same order inserted concurrently by another worker: read what it wrote.
    const order = await readOrder(pool, job.orderID);
    if (!order) throw err;
    return order.status === 'pending' ? { kind: 'process', order } : { kind: 'final', order };
  }
}

async function insertOrder(conn: PoolConnection, job: CheckoutJob): Promise<CheckoutStep> {
  const [cart] = await conn.execute<CartRow[]>(
    'SELECT product_id, quantity FROM client_cart WHERE client_id = ? ORDER BY product_id FOR UPDATE',
    [job.clientID],
  );
  if (cart.length === 0) return insertFailedOrder(conn, job, 'EMPTY_CART', 'the cart is empty');

  const lines: CartLine[] = cart.map((r) => ({ productId: r.product_id, quantity: r.quantity }));
  const [productRows] = await conn.query<ProductRow[]>(
    'SELECT product_id, price_cents, deal_price_cents, deal_starts_at, deal_ends_at, deal_only FROM product_details WHERE product_id IN (?)',
    [lines.map((l) => l.productId)],
  );
  const [[clock]] = await conn.query<RowDataPacket[]>('SELECT NOW(6) AS now');
  const products = new Map<string, PricedProduct>(
    productRows.map((p) => [
      p.product_id,
      {
        productId: p.product_id,
        priceCents: p.price_cents,
        dealPriceCents: p.deal_price_cents,
        dealStartsAt: p.deal_starts_at,
        dealEndsAt: p.deal_ends_at,
        dealOnly: p.deal_only === 1,
      },
    ]),
  );
  const pricing = priceCart(lines, products, clock!.now as Date);
  if (!pricing.ok) return insertFailedOrder(conn, job, pricing.code, pricing.message);

  await conn.execute(
    "INSERT INTO orders (order_id, client_id, status, total_cents, pending_client_id) VALUES (?, ?, 'pending', ?, ?)",
    [job.orderID, job.clientID, pricing.totalCents, job.clientID],
  );
  await conn.query('INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES ?', [
    pricing.lines.map((l) => [job.orderID, l.productId, l.quantity, l.unitPriceCents]),
  ]);
  return {
    kind: 'process',
    order: { orderId: job.orderID, clientId: job.clientID, status: 'pending', code: '', error: '', totalCents: pricing.totalCents },
  };
}

async function insertFailedOrder(conn: PoolConnection, job: CheckoutJob, code: ErrorCode, error: string): Promise<CheckoutStep> {
  try {
    await conn.execute("INSERT INTO orders (order_id, client_id, status, code, error, total_cents) VALUES (?, ?, 'failed', ?, ?, 0)", [
      job.orderID,
      job.clientID,
      code,
      error,
    ]);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // The same order id was inserted concurrently (a duplicate delivery): go on
    // from whatever that insert recorded.
    const order = await readOrder(conn, job.orderID);
    if (!order) throw new RetryTransaction('order inserted concurrently');
    return order.status === 'pending' ? { kind: 'process', order } : { kind: 'final', order };
  }
  return { kind: 'final', order: { orderId: job.orderID, clientId: job.clientID, status: 'failed', code, error, totalCents: 0 } };
}
