import type { PoolConnection, RowDataPacket } from '../../../common/src/db';
import type { CartLine } from '../domain/pricing';

/** client_cart: the cart manager alone writes carts. */

/** The quantity of one cart line (0 when absent), locked until the transaction ends. */
export async function lockCartLine(conn: PoolConnection, clientId: string, productId: string): Promise<number> {
  const [rows] = await conn.execute<RowDataPacket[]>('SELECT quantity FROM client_cart WHERE client_id = ? AND product_id = ? FOR UPDATE', [
    clientId,
    productId,
  ]);
  return Number(rows[0]?.quantity ?? 0);
}

/** Add units to a cart line (created when absent). */
export async function addToCartLine(conn: PoolConnection, clientId: string, productId: string, quantity: number): Promise<void> {
  await conn.execute(
    'INSERT INTO client_cart (client_id, product_id, quantity) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE quantity = quantity + VALUES(quantity)',
    [clientId, productId, quantity],
  );
}

/** Every line of the client's cart, by product id, locked until the transaction ends. */
export async function lockCart(conn: PoolConnection, clientId: string): Promise<CartLine[]> {
  const [rows] = await conn.execute<RowDataPacket[]>('SELECT product_id, quantity FROM client_cart WHERE client_id = ? ORDER BY product_id FOR UPDATE', [
    clientId,
  ]);
  return rows.map((r) => ({ productId: r.product_id as string, quantity: Number(r.quantity) }));
}

/**
 * Take ordered units out of the cart: a line holding no more than was ordered
 * goes, a larger one (units added since checkout) keeps the difference. Lines
 * are touched in product id order, like every other cart transaction.
 */
export async function removeOrderedUnits(conn: PoolConnection, clientId: string, items: CartLine[]): Promise<void> {
  for (const item of [...items].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0))) {
    await conn.execute('DELETE FROM client_cart WHERE client_id = ? AND product_id = ? AND quantity <= ?', [clientId, item.productId, item.quantity]);
    await conn.execute('UPDATE client_cart SET quantity = quantity - ? WHERE client_id = ? AND product_id = ? AND quantity > ?', [
      item.quantity,
      clientId,
      item.productId,
      item.quantity,
    ]);
  }
}
