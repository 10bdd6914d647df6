/**
 * The cart manager's three queues consumed in adaptive batches, through the
 * real RabbitMQ with real processes: a poison message sinks only itself, a
 * SIGKILL in the middle of a batch leaves nothing half applied and the
 * redelivery converges, a batch delivered twice changes nothing the second
 * time and gets the same answers, and add-to-carts racing on the same lines
 * across batches and processes sum exactly. Needs `npm run build` first.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import amqp from 'amqplib';
import { type ServiceProcess, TestSystem } from '../../../test/support/system';
import { waitFor } from '../../../test/support/wait';

type Reply = Record<string, unknown>;

/**
 * The test's side of the broker: one connection, a confirm channel to publish
 * (many messages, then one wait for their confirms), and a queue of its own
 * that collects replies by correlation id.
 */
class Wire {
  readonly replies = new Map<string, Reply[]>();
  private constructor(
    private readonly conn: amqp.ChannelModel,
    private readonly ch: amqp.ConfirmChannel,
    readonly replyQueue: string,
  ) {}

  static async open(url: string): Promise<Wire> {
    const conn = await amqp.connect(url);
    const ch = await conn.createConfirmChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
    const wire = new Wire(conn, ch, queue);
    await ch.consume(
      queue,
      (msg) => {
        if (!msg) return;
        const id = String(msg.properties.correlationId);
        wire.replies.set(id, [...(wire.replies.get(id) ?? []), JSON.parse(msg.content.toString()) as Reply]);
      },
      { noAck: true },
    );
    return wire;
  }

  /** Publish each [body, correlation id] to the queue, persistent, replies to this wire; resolves once all are confirmed. */
  async publish(queue: string, messages: readonly [unknown, string][]): Promise<void> {
    for (const [body, correlationId] of messages) {
      this.ch.sendToQueue(queue, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), {
        persistent: true,
        contentType: 'application/json',
        messageId: randomUUID(),
        replyTo: this.replyQueue,
        correlationId,
      });
    }
    await this.ch.waitForConfirms();
  }

  async waitForReplies(ids: readonly string[], timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `replies to ${ids.length} messages`,
      async () => ids.filter((id) => !this.replies.has(id)).length,
      (missing) => missing === 0,
      { timeoutMs },
    );
  }

  /** The first reply to each id. */
  first(ids: readonly string[]): Reply[] {
    return ids.map((id) => this.replies.get(id)![0]!);
  }

  async close(): Promise<void> {
    await this.conn.close().catch(() => undefined);
  }
}

interface AddJob {
  requestID: string;
  clientID: string;
  productID: string;
  quantity: number;
}

describe('cart manager batches through the real queues', () => {
  let system: TestSystem;
  let wire: Wire;
  const tag = randomUUID().slice(0, 6);
  let n = 0;
  const client = (what: string) => `${what}-${tag}-${++n}`;

  beforeAll(async () => {
    // No cart manager at first: each test starts the ones it needs.
    system = await TestSystem.start({
      cartWorkers: 0,
      env: { PAYMENT_LATENCY_MS: '5', AMQP_DELIVERY_LIMIT: '10' },
      serviceEnv: { 'cart-manager': { MAX_QUANTITY_PER_LINE: '1000000' } },
    });
    await system.seed({ productId: 'P', stock: 100_000, priceCents: 100 });
    await system.seed({ productId: 'Q', stock: 100_000, priceCents: 300 });
    await system.seed({ productId: 'BIG', stock: 1_000, priceCents: 100_000_000 });
    // Nothing available and nothing held: SOLD_OUT.
    await system.seed({ productId: 'GONE', stock: 0, priceCents: 100 });
    wire = await Wire.open(system.amqpUrl);
  });

  afterAll(async () => {
    await wire?.close();
    await system?.stop();
  });

  async function stopCartManagers(): Promise<void> {
    for (const p of system.running('cart-manager')) await system.kill(p, 'SIGTERM');
  }

  async function startCartManager(env: Record<string, string> = {}): Promise<ServiceProcess> {
    return system.startService('cart-manager', env);
  }

  /** A cart manager that is to crash on the messages already queued (it may die before it is ready). */
  const startCrashing = (env: Record<string, string>): Promise<ServiceProcess> => system.startCrashingService('cart-manager', env);

  /** Batches and messages the process's batch consumer of `queue` has run (its /metrics). */
  async function batchStats(proc: ServiceProcess, queue: string): Promise<{ batches: number; messages: number }> {
    const text = await (await fetch(`http://127.0.0.1:${proc.opsPort}/metrics`)).text();
    const read = (name: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`queue="${queue}"`));
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
    };
    return { batches: read('consumer_batches_total'), messages: read('consumer_batch_messages_total') };
  }

  async function cartLines(clients: readonly string[]): Promise<Record<string, number>> {
    const [rows] = await system.pool.query<any[]>('SELECT client_id, product_id, quantity FROM client_cart WHERE client_id IN (?)', [clients]);
    return Object.fromEntries(rows.map((r) => [`${r.client_id}/${r.product_id}`, Number(r.quantity)]));
  }

  function sums(jobs: readonly AddJob[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const j of jobs) out[`${j.clientID}/${j.productID}`] = (out[`${j.clientID}/${j.productID}`] ?? 0) + j.quantity;
    return out;
  }

  async function recordedIds(ids: readonly string[]): Promise<Set<string>> {
    const [rows] = await system.pool.query<any[]>('SELECT message_id FROM processed_messages WHERE message_id IN (?)', [ids]);
    return new Set(rows.map((r) => r.message_id as string));
  }

  function addJobs(count: number, clients: readonly string[], products: readonly string[]): AddJob[] {
    return Array.from({ length: count }, (_, i) => ({
      requestID: randomUUID(),
      clientID: clients[i % clients.length]!,
      productID: products[Math.floor(i / clients.length) % products.length]!,
      quantity: 1 + (i % 3),
    }));
  }

  async function fillCarts(lines: readonly [string, string, number][]): Promise<void> {
    await system.pool.query('INSERT INTO client_cart (client_id, product_id, quantity) VALUES ?', [lines]);
  }

  async function ordersOf(clients: readonly string[]): Promise<any[]> {
    const [rows] = await system.pool.query<any[]>(
      'SELECT order_id, client_id, status, code, total_cents FROM orders WHERE client_id IN (?) ORDER BY client_id, order_id',
      [clients],
    );
    return rows;
  }

  test('when 1,000 add-to-carts for eight lines race across batches of two cart managers, then every line holds exactly the sum', async () => {
    await stopCartManagers();
    const procs = [await startCartManager(), await startCartManager()];
    const clients = [client('sum'), client('sum'), client('sum'), client('sum')];
    const jobs = addJobs(1_000, clients, ['P', 'Q']);
    // A hundred of them delivered twice: applied once.
    const messages: [AddJob, string][] = [...jobs.map((j): [AddJob, string] => [j, j.requestID]), ...jobs.slice(0, 100).map((j): [AddJob, string] => [j, `${j.requestID}#again`])];
    await wire.publish(system.topology.addToCart, messages);
    await wire.waitForReplies(messages.map(([, id]) => id));

    expect(wire.first(messages.map(([, id]) => id)).every((r) => r.ok === true)).toBe(true);
    expect(await cartLines(clients)).toEqual(sums(jobs));
    expect((await recordedIds(jobs.map((j) => j.requestID))).size).toBe(1_000);
    const stats = await Promise.all(procs.map((p) => batchStats(p, system.topology.addToCart)));
    const total = stats.reduce((a, s) => ({ batches: a.batches + s.batches, messages: a.messages + s.messages }), { batches: 0, messages: 0 });
    expect(total.messages).toBeGreaterThanOrEqual(1_100);
    // Batches, not one message at a time.
    expect(total.messages / total.batches).toBeGreaterThan(2);
  });

  test('when a batch holds one poison message, then only that one is dead-lettered and its neighbours are applied', async () => {
    await stopCartManagers();
    await system.drainDeadLetters();
    // Twenty checkouts of one unit, and one whose total (100 x 1,000,000.00) does not fit the orders table.
    const clients = Array.from({ length: 20 }, () => client('poison-n'));
    const poison = client('poison');
    await fillCarts([...clients.map((c): [string, string, number] => [c, 'P', 1]), [poison, 'BIG', 100]]);
    const checkouts: [unknown, string][] = clients.map((c) => [{ orderID: randomUUID(), clientID: c }, c]);
    checkouts.splice(10, 0, [{ orderID: randomUUID(), clientID: poison }, poison]);
    // And an add-to-cart batch with one message that does not parse.
    const adds = addJobs(20, [client('poison-add'), client('poison-add')], ['P']);
    const addMessages: [unknown, string][] = adds.map((j) => [j, j.requestID]);
    addMessages.splice(7, 0, [{ requestID: randomUUID(), clientID: 'x', productID: 'P', quantity: 0 }, 'bad-add']);
    // Queued before the consumer starts: it takes them in large batches.
    await wire.publish(system.topology.checkout, checkouts);
    await wire.publish(system.topology.addToCart, addMessages);
    const proc = await startCartManager();

    await wire.waitForReplies([...clients, ...adds.map((j) => j.requestID)]);
    expect(wire.first(clients).map((r) => r.status)).toEqual(clients.map(() => 'confirmed'));
    expect(wire.first(adds.map((j) => j.requestID)).every((r) => r.ok === true)).toBe(true);
    const parked = await waitFor('two dead letters', async () => system.queueDepth(system.topology.deadLetterQueue), (d) => d >= 2);
    expect(parked).toBe(2);
    const dead = await system.drainDeadLetters();
    const byQueue = Object.fromEntries(dead.map((d) => [d.queue, d]));
    expect(JSON.parse(byQueue[system.topology.checkout]!.body)).toMatchObject({ clientID: poison });
    expect(byQueue[system.topology.checkout]!.reason).toMatch(/^INVALID_REQUEST: the database refuses this message's data: Out of range value for column 'total_cents'/);
    expect(byQueue[system.topology.addToCart]!.reason).toMatch(/^INVALID_REQUEST: quantity/);
    expect(wire.replies.has(poison)).toBe(false);
    expect(wire.replies.has('bad-add')).toBe(false);

    // Nothing of the poison is written; each neighbour has its one order, sold once.
    expect(await ordersOf([poison])).toEqual([]);
    const orders = await ordersOf(clients);
    expect(orders.map((o) => o.status)).toEqual(clients.map(() => 'confirmed'));
    expect(await cartLines(adds.map((j) => j.clientID))).toEqual(sums(adds));
    // The poison shared a batch with neighbours: the batch failed, and its messages were retried one by one.
    const warned = readFileSync(proc.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('batch failed, retrying its messages one by one'))
      .map((l) => JSON.parse(l) as { queue: string; size: number });
    expect(warned.some((w) => w.queue === system.topology.checkout && w.size > 1)).toBe(true);
    await system.settle();
    expect((await system.audit(true)).violations).toEqual([]);
  });

  test('when the cart manager is killed in the middle of an add-to-cart batch, then nothing is half applied and the redelivery adds each quantity once', async () => {
    await stopCartManagers();
    const clients = [client('crash-add'), client('crash-add'), client('crash-add'), client('crash-add'), client('crash-add')];
    // Some jobs applied before, one at a time.
    const earlier = addJobs(5, clients, ['P']);
    const first = await startCartManager();
    for (const job of earlier) {
      await wire.publish(system.topology.addToCart, [[job, job.requestID]]);
      await wire.waitForReplies([job.requestID]);
    }
    await system.kill(first, 'SIGTERM');

    // Then a burst, queued before a cart manager that dies in its first batch of several.
    const jobs = addJobs(600, clients, ['P', 'Q']);
    await wire.publish(
      system.topology.addToCart,
      jobs.map((j) => [j, j.requestID]),
    );
    const onceFile = `/tmp/flashsale-crash-${system.runId}-${randomUUID()}`;
    const crashing = await startCrashing({ CRASH_AT: 'cart.mid-batch', CRASH_ONCE_FILE: onceFile });
    expect(await crashing.exited).toBeNull();
    expect(crashing.child.signalCode).toBe('SIGKILL');

    // Dead in the middle of a batch: the carts hold exactly the jobs recorded as applied, no more, no less.
    const all = [...earlier, ...jobs];
    const recorded = await recordedIds(all.map((j) => j.requestID));
    expect(recorded.size).toBeLessThan(all.length);
    for (const job of earlier) expect(recorded.has(job.requestID)).toBe(true);
    expect(await cartLines(clients)).toEqual(sums(all.filter((j) => recorded.has(j.requestID))));

    await startCartManager({ CRASH_AT: 'cart.mid-batch', CRASH_ONCE_FILE: onceFile });
    await wire.waitForReplies(jobs.map((j) => j.requestID));
    expect(wire.first(jobs.map((j) => j.requestID)).every((r) => r.ok === true)).toBe(true);
    expect((await recordedIds(all.map((j) => j.requestID))).size).toBe(all.length);
    expect(await cartLines(clients)).toEqual(sums(all));
  });

  test.each(['cart.mid-batch', 'cart.after-order-commit'])(
    'when the cart manager is killed at %s in a checkout batch, then every order is made exactly once and ends confirmed',
    async (point) => {
      await stopCartManagers();
      const clients = Array.from({ length: 40 }, () => client('crash-co'));
      await fillCarts(clients.flatMap((c, i): [string, string, number][] => (i % 2 ? [[c, 'P', 1]] : [[c, 'P', 2], [c, 'Q', 1]])));
      const jobs = clients.map((c) => ({ orderID: randomUUID(), clientID: c }));
      // Queued first: the cart manager takes them in large batches, and dies in one.
      await wire.publish(
        system.topology.checkout,
        jobs.map((j) => [j, j.clientID]),
      );
      const onceFile = `/tmp/flashsale-crash-${system.runId}-${randomUUID()}`;
      const crashing = await startCrashing({ CRASH_AT: point, CRASH_ONCE_FILE: onceFile });
      expect(await crashing.exited).toBeNull();
      expect(crashing.child.signalCode).toBe('SIGKILL');
      // Whatever was committed is whole: no order without its items. (At
      // cart.after-order-commit a whole batch is committed and none of its jobs published.)
      const [bare] = await system.pool.query<any[]>(
        "SELECT o.order_id FROM orders o LEFT JOIN order_items i ON i.order_id = o.order_id WHERE o.client_id IN (?) AND o.status <> 'failed' AND i.order_id IS NULL",
        [clients],
      );
      expect(bare).toEqual([]);

      await startCartManager({ CRASH_AT: point, CRASH_ONCE_FILE: onceFile });
      await wire.waitForReplies(clients);
      expect(wire.first(clients).map((r) => r.status)).toEqual(clients.map(() => 'confirmed'));
      const orders = await ordersOf(clients);
      expect(orders.map((o) => [o.client_id, o.order_id, o.status])).toEqual(
        jobs.map((j) => [j.clientID, j.orderID, 'confirmed']).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
      );
      const [[moves]] = await system.pool.query<any[]>(
        "SELECT SUM(kind = 'reserve') AS reserves, SUM(kind = 'commit') AS commits, COUNT(DISTINCT order_id) AS orders FROM stock_movements WHERE order_id IN (?)",
        [jobs.map((j) => j.orderID)],
      );
      // 20 orders of one line, 20 of two: one reserve and one commit per line.
      expect({ reserves: Number(moves.reserves), commits: Number(moves.commits), orders: Number(moves.orders) }).toEqual({ reserves: 60, commits: 60, orders: 40 });
      await system.settle();
      expect((await system.audit(true)).violations).toEqual([]);
    },
  );

  test('when a batch is delivered again, then carts, orders and cart clean-ups do not change and every message gets the same answer', async () => {
    await stopCartManagers();
    const proc = await startCartManager();

    // Add-to-cart: applied jobs and refusals (a product sold out, one that does not exist, a line past the maximum).
    const addClients = [client('again-add'), client('again-add'), client('again-add')];
    const adds: AddJob[] = [
      ...addJobs(45, addClients, ['P', 'Q']),
      { requestID: randomUUID(), clientID: addClients[0]!, productID: 'GONE', quantity: 1 },
      { requestID: randomUUID(), clientID: addClients[1]!, productID: 'NOPE', quantity: 1 },
      { requestID: randomUUID(), clientID: addClients[2]!, productID: 'P', quantity: 2_000_000 },
    ];
    const send = async (round: string) => {
      const ids = adds.map((j) => `${j.requestID}@${round}`);
      await wire.publish(
        system.topology.addToCart,
        adds.map((j, i) => [j, ids[i]!]),
      );
      await wire.waitForReplies(ids);
      return wire.first(ids);
    };
    const firstAdds = await send('1');
    expect(firstAdds.slice(45).map((r) => r.code)).toEqual(['SOLD_OUT', 'PRODUCT_NOT_FOUND', 'INVALID_REQUEST']);
    const cartsAfterFirst = await cartLines(addClients);
    // The same answers; a refusal is not recorded (retried later it may pass), so the line-maximum refusal is
    // decided again, against the line as it is now: its text names the units the line would hold, which in the
    // first round depends on how the 48 messages were split into batches and which batch locked the line first.
    const withoutUnits = (replies: typeof firstAdds) => replies.map((r) => ({ ...r, error: String(r.error).replace(/would hold \d+ units/, 'would hold N units') }));
    const secondAdds = await send('2');
    expect(withoutUnits(secondAdds)).toEqual(withoutUnits(firstAdds));
    expect(String(secondAdds[47]!.error)).toMatch(/^quantity: the cart line would hold \d+ units, more than the maximum of 1000000 per line$/);
    expect(await cartLines(addClients)).toEqual(cartsAfterFirst);

    // Checkout: made orders, an empty cart, two checkouts of one client.
    const buyers = Array.from({ length: 12 }, () => client('again-co'));
    const twice = client('again-twice');
    const empty = client('again-empty');
    await fillCarts([...buyers.map((c): [string, string, number] => [c, 'Q', 1]), [twice, 'P', 3]]);
    const checkouts = [...buyers, twice, twice, empty].map((c) => ({ orderID: randomUUID(), clientID: c }));
    const sendCheckouts = async (round: string) => {
      const ids = checkouts.map((j) => `${j.orderID}@${round}`);
      await wire.publish(
        system.topology.checkout,
        checkouts.map((j, i) => [j, ids[i]!]),
      );
      await wire.waitForReplies(ids);
      await system.settle();
      return wire.first(ids);
    };
    const firstCheckouts = await sendCheckouts('1');
    expect(firstCheckouts.map((r) => r.status)).toEqual([...buyers.map(() => 'confirmed'), 'confirmed', 'failed', 'failed']);
    expect(firstCheckouts.slice(-2).map((r) => r.code)).toEqual(['CHECKOUT_IN_PROGRESS', 'EMPTY_CART']);
    const everyone = [...buyers, twice, empty];
    const snapshot = async () => {
      const [items] = await system.pool.query<any[]>('SELECT order_id, product_id, quantity, unit_price_cents FROM order_items WHERE order_id IN (?) ORDER BY 1, 2', [
        checkouts.map((j) => j.orderID),
      ]);
      const [[moves]] = await system.pool.query<any[]>('SELECT COUNT(*) AS n FROM stock_movements');
      const [[payments]] = await system.pool.query<any[]>('SELECT COUNT(*) AS n FROM payments');
      return { orders: await ordersOf(everyone), items, carts: await cartLines(everyone), moves: Number(moves.n), payments: Number(payments.n) };
    };
    const before = await snapshot();
    expect(before.orders).toHaveLength(15);
    expect(await sendCheckouts('2')).toEqual(firstCheckouts);
    expect(await snapshot()).toEqual(before);

    // Cart clean-up: two orders of one client in the same batch take from the same line, each once;
    // six orders come in one message (a checkout batch's event), the others one per message (the earlier shape).
    const holders = Array.from({ length: 10 }, () => client('again-fin'));
    await fillCarts(holders.map((c): [string, string, number] => [c, 'P', 5]));
    const events = [...holders, holders[0]!, holders[1]!].map((c) => ({ orderID: randomUUID(), clientID: c, status: 'confirmed', items: [{ productID: 'P', quantity: 2 }] }));
    const finalizedQueue = system.topology.orderFinalized;
    const sendEvents = async () => {
      const { messages: seen } = await batchStats(proc, finalizedQueue);
      const messages: [unknown, string][] = [[{ orders: events.slice(0, 6) }, `finalized:${events[0]!.orderID}:6`], ...events.slice(6).map((e): [unknown, string] => [e, e.orderID])];
      await wire.publish(finalizedQueue, messages);
      await waitFor('the events consumed', async () => (await batchStats(proc, finalizedQueue)).messages - seen, (m) => m >= messages.length);
      // The counters count a batch when it is handed over, before its
      // transaction commits: wait until its messages are settled too.
      await waitFor('the events settled', () => system.inFlight(proc), (n) => n === 0);
    };
    await sendEvents();
    const cleaned = await cartLines(holders);
    expect(cleaned).toEqual(Object.fromEntries(holders.map((c, i) => [`${c}/P`, i < 2 ? 1 : 3])));
    await sendEvents();
    expect(await cartLines(holders)).toEqual(cleaned);
  });
});
