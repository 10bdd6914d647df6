import type { Pool, RowDataPacket } from '../common/src/db';

/**
 * Audits the database, not the HTTP answers: every invariant the system
 * promises, each violation named with the rows that break it. `final` adds the
 * checks that hold once the sale is over (nothing held, nothing pending).
 */
export interface AuditReport {
  ok: boolean;
  violations: string[];
  products: { productId: string; available: number; reserved: number; sold: number; restocked: number }[];
  orders: { pending: number; confirmed: number; failed: number };
  heldReservations: number;
}

async function rows(pool: Pool, sql: string): Promise<RowDataPacket[]> {
  const [result] = await pool.query<RowDataPacket[]>(sql);
  return result;
}

function check(violations: string[], what: string, bad: RowDataPacket[]): void {
  if (bad.length > 0) {
    const sample = bad.slice(0, 10).map((r) => JSON.stringify(r)).join('\n    ');
    violations.push(`${what} (${bad.length} rows)\n    ${sample}`);
  }
}

export async function auditDatabase(pool: Pool, options: { final: boolean }): Promise<AuditReport> {
  const v: string[] = [];

  const ledger = `SELECT p.product_id, p.quantity, p.reserved, p.sold,
      COALESCE(SUM(CASE WHEN m.kind='restock' THEN m.quantity END),0) AS restock,
      COALESCE(SUM(CASE WHEN m.kind='reserve' THEN m.quantity END),0) AS reserve,
      COALESCE(SUM(CASE WHEN m.kind='commit' THEN m.quantity END),0) AS commit_,
      COALESCE(SUM(CASE WHEN m.kind='release' THEN m.quantity END),0) AS release_,
      COALESCE(SUM(CASE WHEN m.kind='expire' THEN m.quantity END),0) AS expire_
    FROM product_details p LEFT JOIN stock_movements m ON m.product_id = p.product_id GROUP BY p.product_id`;
  const products = await rows(pool, ledger);

  check(v, 'negative counter', products.filter((p) => p.quantity < 0 || p.reserved < 0 || p.sold < 0));
  check(v, 'conservation broken: quantity + reserved + sold != sum of restocks', products.filter((p) => p.quantity + p.reserved + p.sold !== Number(p.restock)));
  check(
    v,
    'ledger replay disagrees with the counters',
    products.filter(
      (p) =>
        p.quantity !== Number(p.restock) - Number(p.reserve) + Number(p.release_) + Number(p.expire_) ||
        p.reserved !== Number(p.reserve) - Number(p.commit_) - Number(p.release_) - Number(p.expire_) ||
        p.sold !== Number(p.commit_),
    ),
  );

  check(
    v,
    'reserved != units of held reservations, or sold != units of committed reservations',
    await rows(
      pool,
      `SELECT p.product_id, p.reserved, p.sold, COALESCE(h.held,0) AS held, COALESCE(h.committed,0) AS committed
       FROM product_details p LEFT JOIN (
         SELECT product_id, SUM(CASE WHEN status='held' THEN quantity ELSE 0 END) AS held,
                SUM(CASE WHEN status='committed' THEN quantity ELSE 0 END) AS committed
         FROM reserve_purchase GROUP BY product_id) h ON h.product_id = p.product_id
       WHERE p.reserved <> COALESCE(h.held,0) OR p.sold <> COALESCE(h.committed,0)`,
    ),
  );
  check(
    v,
    'reservation lines disagree with their reservation',
    await rows(pool, `SELECT l.order_id, l.product_id, l.status AS line, r.status AS header FROM reserve_purchase l JOIN reservations r ON r.order_id = l.order_id WHERE l.status <> r.status`),
  );
  check(
    v,
    'confirmed order without a charged payment of its total, or without a committed reservation',
    await rows(
      pool,
      `SELECT o.order_id, o.total_cents, p.status AS payment, p.amount_cents, r.status AS reservation FROM orders o
       LEFT JOIN payments p ON p.order_id = o.order_id LEFT JOIN reservations r ON r.order_id = o.order_id
       WHERE o.status='confirmed' AND (p.status IS NULL OR p.status <> 'charged' OR p.amount_cents <> o.total_cents OR r.status IS NULL OR r.status <> 'committed')`,
    ),
  );
  check(
    v,
    'charged payment whose order is not confirmed (a buyer charged without a unit)',
    await rows(
      pool,
      `SELECT p.order_id, p.status, o.status AS order_status FROM payments p LEFT JOIN orders o ON o.order_id = p.order_id
       WHERE p.status='charged' AND (o.status IS NULL OR o.status='failed')`,
    ),
  );
  check(
    v,
    'failed order still holding stock',
    await rows(pool, `SELECT r.order_id FROM reservations r JOIN orders o ON o.order_id = r.order_id WHERE r.status='held' AND o.status='failed'`),
  );
  check(v, 'order total != sum of its items', await rows(pool, `SELECT o.order_id, o.total_cents, SUM(i.quantity*i.unit_price_cents) AS items FROM orders o JOIN order_items i ON i.order_id=o.order_id GROUP BY o.order_id HAVING o.total_cents <> items`));

  const [held] = await rows(pool, `SELECT COUNT(*) AS n FROM reservations WHERE status='held'`);
  const statusRows = await rows(pool, `SELECT status, COUNT(*) AS n FROM orders GROUP BY status`);
  const orders = { pending: 0, confirmed: 0, failed: 0 };
  for (const r of statusRows) orders[r.status as keyof typeof orders] = Number(r.n);

  if (options.final) {
    // Between Commit and the order's final transition these differ for a moment.
    check(
      v,
      'sold != units of confirmed orders',
      await rows(
        pool,
        `SELECT p.product_id, p.sold, COALESCE(c.units,0) AS confirmed_units FROM product_details p LEFT JOIN (
           SELECT i.product_id, SUM(i.quantity) AS units FROM order_items i JOIN orders o ON o.order_id = i.order_id
           WHERE o.status='confirmed' GROUP BY i.product_id) c ON c.product_id = p.product_id
         WHERE p.sold <> COALESCE(c.units,0)`,
      ),
    );
    check(
      v,
      'committed reservation of an order that is not confirmed',
      await rows(
        pool,
        `SELECT r.order_id, o.status FROM reservations r LEFT JOIN orders o ON o.order_id = r.order_id
         WHERE r.status='committed' AND (o.status IS NULL OR o.status <> 'confirmed')`,
      ),
    );
    check(v, 'reservation still held after every order is final', await rows(pool, `SELECT order_id, expires_at FROM reservations WHERE status='held'`));
    check(v, 'order left pending', await rows(pool, `SELECT order_id, client_id, created_at FROM orders WHERE status='pending'`));
  }

  return {
    ok: v.length === 0,
    violations: v,
    products: products.map((p) => ({
      productId: p.product_id,
      available: p.quantity,
      reserved: p.reserved,
      sold: p.sold,
      restocked: Number(p.restock),
    })),
    orders,
    heldReservations: Number(held!.n),
  };
}

/** Poll until no order is pending and no reservation is held, or the time is up. */
export async function waitUntilSettled(pool: Pool, timeoutMs: number): Promise<{ settled: boolean; pending: number; held: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await rows(
      pool,
      "SELECT (SELECT COUNT(*) FROM orders WHERE status='pending') AS pending, (SELECT COUNT(*) FROM reservations WHERE status='held') AS held",
    );
    const pending = Number(row!.pending);
    const held = Number(row!.held);
    if (pending === 0 && held === 0) return { settled: true, pending, held };
    if (Date.now() > deadline) return { settled: false, pending, held };
    await new Promise((r) => setTimeout(r, 200));
  }
}
