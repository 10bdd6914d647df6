/**
 * The checkout manager as a real process, consuming `<prefix>.checkout.process`
 * in batches, against the real MariaDB, RabbitMQ and inventory manager: a
 * batch holding poison messages, a SIGKILL in the middle of a batch at each
 * crash point, and a batch delivered again. The messages are queued while no
 * checkout manager runs, so the one started next takes them together (its
 * batch metrics say so). Pending orders are written as the cart manager
 * writes them. Needs `npm run build` first (the services run from dist/).
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import amqp from 'amqplib';
import type { Pool } from '../../../common/src/db';
import { TestSystem, type ServiceProcess } from '../../../test/support/system';
import { waitFor } from '../../../test/support/wait';

interface Reply {
  correlationId: string;
  body: { orderID: string; status: string; code: string };
}

/** A pending order as the cart manager writes it: one line of one unit at 1000 cents. */
async function pendingOrder(pool: Pool, productId: string): Promise<string> {
  const orderId = randomUUID();
  const client = `client-${orderId}`;
  await pool.query("INSERT INTO orders (order_id, client_id, status, total_cents, pending_client_id) VALUES (?, ?, 'pending', 1000, ?)", [orderId, client, client]);
  await pool.query('INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (?, ?, 1, 1000)', [orderId, productId]);
  return orderId;
}

/** What the database says of each order: its state, its payment, its reservation, and how often it was reserved and committed. */
async function orderFacts(pool: Pool, orderIds: string[]) {
  const [rows] = await pool.query<any[]>(
    `SELECT o.order_id, o.status, o.code, p.status AS payment, r.status AS reservation,
       (SELECT COUNT(*) FROM stock_movements m WHERE m.order_id = o.order_id AND m.kind = 'reserve') AS reserves,
       (SELECT COUNT(*) FROM stock_movements m WHERE m.order_id = o.order_id AND m.kind = 'commit') AS commits
     FROM orders o LEFT JOIN payments p ON p.order_id = o.order_id LEFT JOIN reservations r ON r.order_id = o.order_id
     WHERE o.order_id IN (?)`,
    [orderIds],
  );
  const byId = new Map(rows.map((r) => [r.order_id as string, r]));
  return orderIds.map((id) => {
    const r = byId.get(id)!;
    return {
      orderId: id,
      status: r.status as string,
      code: r.code as string,
      payment: r.payment as string | null,
      reservation: r.reservation as string | null,
      reserves: Number(r.reserves),
      commits: Number(r.commits),
    };
  });
}

/** Batches and messages the process-order consumer of a checkout manager has handled (its /metrics). */
async function batchStats(system: TestSystem, proc: ServiceProcess): Promise<{ batches: number; messages: number }> {
  const text = await (await fetch(`http://127.0.0.1:${proc.opsPort}/metrics`)).text();
  const read = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`queue="${system.topology.processOrder}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  return { batches: read('consumer_batches_total'), messages: read('consumer_batch_messages_total') };
}

/** This test's own AMQP connection: publishes jobs (confirmed) with a reply address, and collects the replies. */
class Client {
  readonly replies: Reply[] = [];
  private constructor(
    private readonly conn: amqp.ChannelModel,
    private readonly ch: amqp.ConfirmChannel,
    readonly replyQueue: string,
  ) {}

  static async open(url: string): Promise<Client> {
    const conn = await amqp.connect(url);
    const ch = await conn.createConfirmChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
    const client = new Client(conn, ch, queue);
    await ch.consume(queue, (msg) => {
      if (msg) client.replies.push({ correlationId: String(msg.properties.correlationId), body: JSON.parse(msg.content.toString()) });
    }, { noAck: true });
    return client;
  }

  async publish(queue: string, body: unknown, correlationId: string): Promise<void> {
    this.ch.sendToQueue(queue, Buffer.from(JSON.stringify(body)), { persistent: true, contentType: 'application/json', replyTo: this.replyQueue, correlationId, messageId: correlationId });
    await this.ch.waitForConfirms();
  }

  async close(): Promise<void> {
    await this.conn.close().catch(() => undefined);
  }
}

async function stopCheckoutManagers(system: TestSystem): Promise<void> {
  for (const p of system.running('checkout-manager')) await system.kill(p, 'SIGTERM');
}

async function ledgerSize(pool: Pool): Promise<number> {
  const [[row]] = await pool.query<any[]>('SELECT COUNT(*) AS n FROM stock_movements');
  return Number(row.n);
}

describe('process-order in batches: poison messages and a redelivered batch', () => {
  let system: TestSystem;
  let client: Client;
  const orders: string[] = [];

  beforeAll(async () => {
    system = await TestSystem.start({ checkoutWorkers: 0, env: { PAYMENT_LATENCY_MS: '100' } });
    client = await Client.open(system.amqpUrl);
    await system.seed({ productId: 'batch', stock: 20 });
  });
  afterAll(async () => {
    await client?.close();
    await system?.stop();
  });

  test('when a batch holds a message for an order that does not exist and one that does not parse, then only those two are dead-lettered, and every other order is finished and answered', async () => {
    for (let i = 0; i < 8; i++) orders.push(await pendingOrder(system.pool, 'batch'));
    const missing = randomUUID();
    const q = system.topology.processOrder;
    for (const [i, orderID] of orders.entries()) {
      await client.publish(q, { orderID }, `first-${i}`);
      if (i === 3) {
        await client.publish(q, { orderID: missing }, 'missing');
        await client.publish(q, { orderID: 'not-a-uuid' }, 'malformed');
      }
    }
    const worker = await system.startService('checkout-manager');

    await waitFor('8 replies', async () => client.replies.length, (n) => n >= 8);
    await waitFor('2 dead letters', () => system.queueDepth(system.topology.deadLetterQueue), (n) => n >= 2);
    expect(client.replies.map((r) => [r.correlationId, r.body.orderID, r.body.status]).sort()).toEqual(
      orders.map((id, i) => [`first-${i}`, id, 'confirmed']).sort(),
    );
    const parked = await system.drainDeadLetters();
    expect(parked.map((m) => [m.queue, JSON.parse(m.body).orderID]).sort()).toEqual([
      [q, 'not-a-uuid'],
      [q, missing],
    ].sort());
    expect(parked.find((m) => m.body.includes(missing))!.reason).toMatch(/^ORDER_NOT_FOUND/);
    expect(parked.find((m) => m.body.includes('not-a-uuid'))!.reason).toMatch(/^INVALID_REQUEST: orders\.0\.orderID/);

    const facts = await orderFacts(system.pool, orders);
    for (const f of facts) expect(f).toMatchObject({ status: 'confirmed', payment: 'charged', reservation: 'committed', reserves: 1, commits: 1 });
    // The 9 messages that parsed came in batches of more than one.
    const stats = await batchStats(system, worker);
    expect(stats.messages).toBe(9);
    expect(stats.batches).toBeLessThan(9);
    await waitFor('the queue empty', () => system.queueDepth(q), (n) => n === 0);
    await system.settle();
    expect((await system.audit(true)).violations).toEqual([]);
  });

  test('when the same batch is delivered again, then every message is answered with the same outcome and nothing changes', async () => {
    await stopCheckoutManagers(system);
    const ledger = await ledgerSize(system.pool);
    const before = await orderFacts(system.pool, orders);
    const [[payments]] = await system.pool.query<any[]>('SELECT COUNT(*) AS n, SUM(amount_cents) AS cents FROM payments');
    client.replies.length = 0;
    // Twice over: the repeats of a message share its batch.
    for (const [i, orderID] of [...orders, ...orders].entries()) await client.publish(system.topology.processOrder, { orderID }, `again-${i}`);
    const worker = await system.startService('checkout-manager');

    await waitFor('16 replies', async () => client.replies.length, (n) => n >= 16);
    expect(client.replies.map((r) => [r.correlationId, r.body.orderID, r.body.status]).sort()).toEqual(
      [...orders, ...orders].map((id, i) => [`again-${i}`, id, 'confirmed']).sort(),
    );
    await waitFor('the queue empty', () => system.queueDepth(system.topology.processOrder), (n) => n === 0);
    expect(await batchStats(system, worker)).toMatchObject({ messages: 16 });
    expect(await ledgerSize(system.pool)).toBe(ledger);
    expect(await orderFacts(system.pool, orders)).toEqual(before);
    const [[paymentsAfter]] = await system.pool.query<any[]>('SELECT COUNT(*) AS n, SUM(amount_cents) AS cents FROM payments');
    expect(paymentsAfter).toEqual(payments);
    expect(await system.queueDepth(system.topology.deadLetterQueue)).toBe(0);
    expect((await system.audit(true)).violations).toEqual([]);
  });

  test('when one message carries a checkout batch with an order that does not exist, then that order alone is parked, as a message of its own, and every other is finished and answered at its own reply address', async () => {
    const fresh: string[] = [];
    for (let i = 0; i < 5; i++) fresh.push(await pendingOrder(system.pool, 'batch'));
    const missing = randomUUID();
    client.replies.length = 0;
    const entries = [...fresh.slice(0, 2), missing, ...fresh.slice(2)].map((orderID, i) => ({ orderID, replyTo: client.replyQueue, correlationId: `multi-${i}` }));
    await client.publish(system.topology.processOrder, { orders: entries }, 'multi');

    await waitFor('5 replies', async () => client.replies.length, (n) => n >= 5);
    await waitFor('the queue empty', () => system.queueDepth(system.topology.processOrder), (n) => n === 0);
    await waitFor('1 dead letter', () => system.queueDepth(system.topology.deadLetterQueue), (n) => n >= 1);
    expect(client.replies.map((r) => [r.correlationId, r.body.orderID, r.body.status]).sort()).toEqual(
      entries.filter((e) => e.orderID !== missing).map((e) => [e.correlationId, e.orderID, 'confirmed']).sort(),
    );
    const parked = await system.drainDeadLetters();
    expect(parked.map((m) => [m.queue, JSON.parse(m.body)])).toEqual([[system.topology.processOrder, { orderID: missing }]]);
    expect(parked[0]!.reason).toMatch(/^ORDER_NOT_FOUND/);
    for (const f of await orderFacts(system.pool, fresh)) expect(f).toMatchObject({ status: 'confirmed', payment: 'charged', reservation: 'committed', reserves: 1, commits: 1 });
    await system.settle();
    expect((await system.audit(true)).violations).toEqual([]);
  });
});

describe('process-order in batches: a checkout manager killed in the middle of a batch', () => {
  let system: TestSystem;
  let client: Client;
  // Half the payments declined; more orders than units, so some are refused.
  const paymentEnv = { PAYMENT_LATENCY_MS: '100', PAYMENT_DECLINE_RATE: '0.5', PAYMENT_SEED: 'batch-crash' };

  beforeAll(async () => {
    system = await TestSystem.start({ checkoutWorkers: 0, env: paymentEnv });
    client = await Client.open(system.amqpUrl);
  });
  afterAll(async () => {
    await client?.close();
    await system?.stop();
  });

  test.each(['checkout.after-reserve', 'checkout.after-charge', 'checkout.after-commit'] as const)(
    'when it dies at %s with a batch of orders in flight, then after a restart every order is final once, every charge committed or refunded, and the audit clean',
    async (point) => {
      const productId = `crash-${point}`;
      await system.seed({ productId, stock: 12 });
      const orders: string[] = [];
      for (let i = 0; i < 16; i++) orders.push(await pendingOrder(system.pool, productId));
      for (const [i, orderID] of orders.entries()) await client.publish(system.topology.processOrder, { orderID }, `${point}-${i}`);

      // One batch at a time, so the batch that dies is the only one that started. The orders are
      // queued already: it may die on its first batch before its /readyz ever answers.
      const onceFile = `/tmp/flashsale-crash-${system.runId}-${randomUUID()}`;
      const crashing = await system.startCrashingService('checkout-manager', { CRASH_AT: point, CRASH_ONCE_FILE: onceFile, CHECKOUT_BATCH_CONCURRENCY: '1' });
      expect(await crashing.exited).toBeNull();
      expect(crashing.child.signalCode).toBe('SIGKILL');

      // Where it died: several orders of the batch past the step, none of them finished or answered.
      const atCrash = await orderFacts(system.pool, orders);
      expect(atCrash.filter((f) => f.status !== 'pending')).toEqual([]);
      expect(client.replies.filter((r) => r.correlationId.startsWith(point))).toEqual([]);
      const past = {
        'checkout.after-reserve': atCrash.filter((f) => f.reservation === 'held' && f.payment === null),
        'checkout.after-charge': atCrash.filter((f) => f.reservation === 'held' && f.payment !== null),
        'checkout.after-commit': atCrash.filter((f) => f.reservation === 'committed'),
      }[point];
      expect(past.length).toBeGreaterThan(1);

      // A new process takes the unacked messages over.
      await system.startService('checkout-manager', { CRASH_AT: point, CRASH_ONCE_FILE: onceFile });
      await waitFor('16 replies', async () => client.replies.filter((r) => r.correlationId.startsWith(point)).length, (n) => n >= 16, { timeoutMs: 30_000 });
      await system.settle();

      const facts = await orderFacts(system.pool, orders);
      for (const f of facts) {
        expect(f.reserves).toBeLessThanOrEqual(1);
        if (f.status === 'confirmed') {
          expect(f).toMatchObject({ payment: 'charged', reservation: 'committed', reserves: 1, commits: 1 });
        } else {
          expect(f.status).toBe('failed');
          expect(f).toMatchObject({ reservation: 'released', commits: 0 });
          expect([null, 'declined', 'refunded']).toContain(f.payment);
          if (f.code === 'PAYMENT_DECLINED') expect(f.payment).toBe('declined');
          else if (f.code === 'ALL_RESERVED' || f.code === 'SOLD_OUT') expect(f).toMatchObject({ payment: null, reserves: 0 });
          else expect(f.code).toBe('RESERVATION_EXPIRED');
        }
      }
      // The orders a crash caught past a step come out of it in one piece.
      const confirmed = facts.filter((f) => f.status === 'confirmed').length;
      expect(confirmed).toBeGreaterThan(0);
      expect(facts.filter((f) => f.code === 'PAYMENT_DECLINED').length).toBeGreaterThan(0);
      expect((await system.get(`/products/${productId}`)).body).toMatchObject({ sold: confirmed, reserved: 0, available: 12 - confirmed });
      // Each answer says what the database says.
      const replies = client.replies.filter((r) => r.correlationId.startsWith(point));
      for (const r of replies) expect(r.body.status).toBe(facts.find((f) => f.orderId === r.body.orderID)!.status);
      expect(await system.queueDepth(system.topology.deadLetterQueue)).toBe(0);
      expect((await system.audit(true)).violations).toEqual([]);
      await stopCheckoutManagers(system);
      rmSync(`${onceFile}.${point}`, { force: true });
    },
  );
});
