/**
 * Read-only queries behind the GET endpoints. The gateway never writes: orders,
 * carts and stock are owned by the workers.
 */
import type { Pool, RowDataPacket } from '../../../common/src/db';
import { isDealActive } from '../../../contracts/deal';
import { type AddToCartReply, addToCartReply } from '../../../contracts/messages';
import type { StockLevel } from '../../../contracts/stock';
import { readLevels } from '../../../db/stock-levels';

export const ORDER_LIST_LIMIT = 100;
export const PRODUCT_LIST_LIMIT = 1000;

export interface OrderView {
  orderID: string;
  clientID: string;
  status: 'pending' | 'confirmed' | 'failed';
  error: string;
  code: string;
  items: Array<{ productID: string; quantity: number; unitPrice: number }>;
  total: number;
  payment: 'none' | 'charged' | 'declined' | 'refunded';
  createdAt: string;
  updatedAt: string;
}

export interface CartView {
  clientID: string;
  items: Array<{ productID: string; quantity: number }>;
}

export interface ProductView {
  productID: string;
  name: string;
  price: number;
  dealPrice: number | null;
  dealStartsAt: string | null;
  dealEndsAt: string | null;
  dealOnly: boolean;
  dealActive: boolean;
  available: number;
  reserved: number;
  sold: number;
}

export interface ReadStore {
  getOrder(orderID: string): Promise<OrderView | null>;
  listOrders(clientID: string): Promise<OrderView[]>;
  getCart(clientID: string): Promise<CartView>;
  getProduct(productID: string): Promise<ProductView | null>;
  listProducts(): Promise<ProductView[]>;
  /** Every product's committed counters with their stock_version: the pushed levels' snapshot. */
  stockLevels(): Promise<StockLevel[]>;
  /**
   * The answers the cart manager recorded for these add-to-cart request ids
   * (processed_messages), by request id; ids never applied are absent.
   */
  addToCartOutcomes(requestIds: readonly string[]): Promise<Map<string, AddToCartReply>>;
}

interface OrderRow extends RowDataPacket {
  order_id: string;
  client_id: string;
  status: OrderView['status'];
  error: string;
  code: string;
  total_cents: number;
  created_at: Date;
  updated_at: Date;
  payment_status: 'charged' | 'declined' | 'refunded' | null;
}

interface OrderItemRow extends RowDataPacket {
  order_id: string;
  product_id: string;
  quantity: number;
  unit_price_cents: number;
}

interface CartRow extends RowDataPacket {
  product_id: string;
  quantity: number;
}

interface OutcomeRow extends RowDataPacket {
  message_id: string;
  outcome: unknown;
}

interface ProductRow extends RowDataPacket {
  product_id: string;
  product_name: string;
  quantity: number;
  reserved: number;
  sold: number;
  price_cents: number;
  deal_price_cents: number | null;
  deal_starts_at: Date | null;
  deal_ends_at: Date | null;
  deal_only: number;
}

const ORDER_COLUMNS = `o.order_id, o.client_id, o.status, o.error, o.code, o.total_cents, o.created_at, o.updated_at,
  p.status AS payment_status
  FROM orders o LEFT JOIN payments p ON p.order_id = o.order_id`;

const PRODUCT_COLUMNS = `product_id, product_name, quantity, reserved, sold, price_cents, deal_price_cents,
  deal_starts_at, deal_ends_at, deal_only FROM product_details`;

export function createReadStore(pool: Pool, now: () => Date = () => new Date()): ReadStore {
  /**
   * A database that cannot be reached rejects with SERVICE_UNAVAILABLE (the
   * pool maps it: common/src/db.ts), a 503 with Retry-After; other errors stay unexpected.
   */
  async function rows<T extends RowDataPacket>(sql: string, params: unknown[]): Promise<T[]> {
    const [result] = await pool.query<T[]>(sql, params);
    return result;
  }

  async function withItems(orders: OrderRow[]): Promise<OrderView[]> {
    if (orders.length === 0) return [];
    const items = await rows<OrderItemRow>(
      'SELECT order_id, product_id, quantity, unit_price_cents FROM order_items WHERE order_id IN (?) ORDER BY order_id, product_id',
      [orders.map((o) => o.order_id)],
    );
    const byOrder = new Map<string, OrderView['items']>();
    for (const item of items) {
      const list = byOrder.get(item.order_id) ?? [];
      list.push({ productID: item.product_id, quantity: item.quantity, unitPrice: item.unit_price_cents });
      byOrder.set(item.order_id, list);
    }
    return orders.map((o) => ({
      orderID: o.order_id,
      clientID: o.client_id,
      status: o.status,
      error: o.error,
      code: o.code,
      items: byOrder.get(o.order_id) ?? [],
      total: o.total_cents,
      payment: o.payment_status ?? 'none',
      createdAt: o.created_at.toISOString(),
      updatedAt: o.updated_at.toISOString(),
    }));
  }

  function toProduct(row: ProductRow): ProductView {
    const deal = { priceCents: row.deal_price_cents, startsAt: row.deal_starts_at, endsAt: row.deal_ends_at };
    return {
      productID: row.product_id,
      name: row.product_name,
      price: row.price_cents,
      dealPrice: row.deal_price_cents,
      dealStartsAt: row.deal_starts_at?.toISOString() ?? null,
      dealEndsAt: row.deal_ends_at?.toISOString() ?? null,
      dealOnly: row.deal_only === 1,
      dealActive: isDealActive(deal, now()),
      available: row.quantity,
      reserved: row.reserved,
      sold: row.sold,
    };
  }

  return {
    async getOrder(orderID) {
      const found = await rows<OrderRow>(`SELECT ${ORDER_COLUMNS} WHERE o.order_id = ?`, [orderID]);
      const [order] = await withItems(found);
      return order ?? null;
    },
    async listOrders(clientID) {
      const found = await rows<OrderRow>(
        `SELECT ${ORDER_COLUMNS} WHERE o.client_id = ? ORDER BY o.created_at DESC, o.order_id DESC LIMIT ${ORDER_LIST_LIMIT}`,
        [clientID],
      );
      return withItems(found);
    },
    async getCart(clientID) {
      const lines = await rows<CartRow>('SELECT product_id, quantity FROM client_cart WHERE client_id = ? ORDER BY product_id', [clientID]);
      return { clientID, items: lines.map((l) => ({ productID: l.product_id, quantity: l.quantity })) };
    },
    async getProduct(productID) {
      const found = await rows<ProductRow>(`SELECT ${PRODUCT_COLUMNS} WHERE product_id = ?`, [productID]);
      return found[0] ? toProduct(found[0]) : null;
    },
    async listProducts() {
      const found = await rows<ProductRow>(`SELECT ${PRODUCT_COLUMNS} ORDER BY product_id LIMIT ${PRODUCT_LIST_LIMIT}`, []);
      return found.map(toProduct);
    },
    stockLevels: () => readLevels(pool, 'all'),
    async addToCartOutcomes(requestIds) {
      if (requestIds.length === 0) return new Map();
      const found = await rows<OutcomeRow>('SELECT message_id, outcome FROM processed_messages WHERE message_id IN (?)', [[...requestIds]]);
      const out = new Map<string, AddToCartReply>();
      for (const r of found) {
        // MariaDB's JSON is LONGTEXT underneath: it comes back as a string. An outcome of another shape is not an add-to-cart's.
        const parsed = addToCartReply.safeParse(typeof r.outcome === 'string' ? JSON.parse(r.outcome) : r.outcome);
        if (parsed.success) out.set(r.message_id, parsed.data);
      }
      return out;
    },
  };
}
