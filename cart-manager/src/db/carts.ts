import type { PoolConnection, RowDataPacket } from '../../../common/src/db';
import type { StoredCartLine } from '../domain/cart-removal';
import type { CartLine } from '../domain/pricing';
import { rowKey } from '../domain/row-key';

/**
 * client_cart: the cart manager alone writes carts. Every statement that locks
 * or writes several lines touches them in one order, by (client_id, product_id)
 * (the primary key), so two batches crossing on the same lines wait for each
 * other instead of deadlocking.
 */

function byLine(a: { clientId: string; productId: string }, b: { clientId: string; productId: string }): number {
  return compare(a.clientId, b.clientId) || compare(a.productId, b.productId);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The cart lines that exist among these (client, product) pairs, locked until the transaction ends, in primary key order. */
export async function lockCartLines(conn: PoolConnection, keys: readonly { clientId: string; productId: string }[]): Promise<StoredCartLine[]> {
  if (keys.length === 0) return [];
  const [rows] = await conn.query<RowDataPacket[]>(
    'SELECT client_id, product_id, quantity FROM client_cart WHERE (client_id, product_id) IN (?) ORDER BY client_id, product_id FOR UPDATE',
    [[...keys].sort(byLine).map((k) => [k.clientId, k.productId])],
  );
  return rows.map((r) => ({ clientId: r.client_id as string, productId: r.product_id as string, quantity: Number(r.quantity) }));
}

/** Add units to cart lines (each created when absent), one statement for all lines. */
export async function addToCartLines(conn: PoolConnection, additions: readonly StoredCartLine[]): Promise<void> {
  if (additions.length === 0) return;
  await conn.query('INSERT INTO client_cart (client_id, product_id, quantity) VALUES ? ON DUPLICATE KEY UPDATE quantity = quantity + VALUES(quantity)', [
    [...additions].sort(byLine).map((a) => [a.clientId, a.productId, a.quantity]),
  ]);
}

/** Every line of these clients' carts, by client id then product id, locked until the transaction ends. */
export async function lockCarts(conn: PoolConnection, clientIds: readonly string[]): Promise<StoredCartLine[]> {
  if (clientIds.length === 0) return [];
  const [rows] = await conn.query<RowDataPacket[]>(
    'SELECT client_id, product_id, quantity FROM client_cart WHERE client_id IN (?) ORDER BY client_id, product_id FOR UPDATE',
    [[...new Set(clientIds)].sort(compare)],
  );
  return rows.map((r) => ({ clientId: r.client_id as string, productId: r.product_id as string, quantity: Number(r.quantity) }));
}

/** Group locked lines by rowKey(client id): each client's cart, in product id order. */
export function cartsByClient(lines: readonly StoredCartLine[]): Map<string, CartLine[]> {
  const carts = new Map<string, CartLine[]>();
  for (const line of lines) {
    const key = rowKey(line.clientId);
    const cart = carts.get(key) ?? [];
    cart.push({ productId: line.productId, quantity: line.quantity });
    carts.set(key, cart);
  }
  return carts;
}

/**
 * Write removals decided on locked lines: delete the lines that went, set the
 * new quantity of the lines that shrank. Two statements whatever the number of
 * lines; the lines exist (they are locked), so the upsert only updates.
 */
export async function writeCartRemovals(conn: PoolConnection, removal: { deleted: readonly StoredCartLine[]; changed: readonly StoredCartLine[] }): Promise<void> {
  if (removal.deleted.length > 0) {
    await conn.query('DELETE FROM client_cart WHERE (client_id, product_id) IN (?)', [[...removal.deleted].sort(byLine).map((l) => [l.clientId, l.productId])]);
  }
  if (removal.changed.length > 0) {
    await conn.query('INSERT INTO client_cart (client_id, product_id, quantity) VALUES ? ON DUPLICATE KEY UPDATE quantity = VALUES(quantity)', [
      [...removal.changed].sort(byLine).map((l) => [l.clientId, l.productId, l.quantity]),
    ]);
  }
}
