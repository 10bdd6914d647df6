import type { CartLine } from './pricing';
import { rowKey } from './row-key';

/** A cart line as stored: its client, product and quantity. */
export interface StoredCartLine {
  clientId: string;
  productId: string;
  quantity: number;
}

/** The ordered units of one confirmed order, to take out of its client's cart. */
export interface OrderedUnits {
  clientId: string;
  items: CartLine[];
}

/**
 * Take the ordered units of several orders out of the carts, in order, as if
 * each had run alone: a line holding no more than was ordered goes, a larger
 * one (units added since checkout) keeps the difference. `lines` are the
 * lines that exist (locked). Returns the lines to delete and the lines whose
 * quantity changes, with their new quantity; untouched lines are in neither.
 */
export function cartAfterRemovals(lines: readonly StoredCartLine[], orders: readonly OrderedUnits[]): { deleted: StoredCartLine[]; changed: StoredCartLine[] } {
  const current = new Map(lines.map((l) => [rowKey(l.clientId, l.productId), { ...l }]));
  for (const order of orders) {
    for (const item of order.items) {
      const line = current.get(rowKey(order.clientId, item.productId));
      if (!line || line.quantity === 0) continue;
      line.quantity = line.quantity <= item.quantity ? 0 : line.quantity - item.quantity;
    }
  }
  const deleted: StoredCartLine[] = [];
  const changed: StoredCartLine[] = [];
  for (const before of lines) {
    const after = current.get(rowKey(before.clientId, before.productId))!;
    if (after.quantity === 0) deleted.push(after);
    else if (after.quantity !== before.quantity) changed.push(after);
  }
  return { deleted, changed };
}
