import { type Pool, type RowDataPacket, RetryTransaction, isDuplicateKey, withTransaction } from '../../../common/src/db';
import type { Logger } from '../../../common/src/logger';
import type { AddToCartJob, AddToCartReply } from '../../../contracts/messages';
import { refusalFor } from '../../../contracts/stock';

interface ProductRow extends RowDataPacket {
  quantity: number;
  reserved: number;
  sold: number;
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
      const [done] = await conn.execute<RowDataPacket[]>('SELECT outcome FROM processed_messages WHERE message_id = ?', [job.requestID]);
      // MariaDB's JSON is LONGTEXT underneath: it comes back as a string.
      if (done[0]) return (typeof done[0].outcome === 'string' ? JSON.parse(done[0].outcome) : done[0].outcome) as AddToCartReply;

      const [products] = await conn.execute<ProductRow[]>('SELECT quantity, reserved, sold FROM product_details WHERE product_id = ?', [
        job.productID,
      ]);
      const product = products[0];
      if (!product) return refuse('PRODUCT_NOT_FOUND', `product ${job.productID} does not exist`);

      const [lines] = await conn.execute<RowDataPacket[]>(
        'SELECT quantity FROM client_cart WHERE client_id = ? AND product_id = ? FOR UPDATE',
        [job.clientID, job.productID],
      );
      const wanted = Number(lines[0]?.quantity ?? 0) + job.quantity;
      if (wanted > maxPerLine) {
        return refuse('INVALID_REQUEST', `quantity: the cart line would hold ${wanted} units, more than the maximum of ${maxPerLine} per line`);
      }
      const refusal = refusalFor({ available: product.quantity, reserved: product.reserved, sold: product.sold }, wanted);
      if (refusal) {
        return refuse(
          refusal,
          refusal === 'SOLD_OUT'
            ? `product ${job.productID} is sold out`
            : `product ${job.productID}: the cart line would hold ${wanted} units, ${product.quantity} available now`,
        );
      }

      const outcome: AddToCartReply = { ok: true, code: '', error: '' };
      try {
        await conn.execute('INSERT INTO processed_messages (message_id, outcome) VALUES (?, ?)', [job.requestID, JSON.stringify(outcome)]);
      } catch (err) {
        // The same request is being applied by another worker right now.
        if (isDuplicateKey(err)) throw new RetryTransaction('duplicate add-to-cart in flight');
        throw err;
      }
      await conn.execute(
        'INSERT INTO client_cart (client_id, product_id, quantity) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE quantity = quantity + VALUES(quantity)',
        [job.clientID, job.productID, job.quantity],
      );
      return outcome;
    },
    { log },
  );
}

function refuse(code: AddToCartReply['code'], error: string): AddToCartReply {
  return { ok: false, code, error };
}
