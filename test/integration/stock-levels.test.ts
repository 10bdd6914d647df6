/**
 * Pushed stock levels through real processes: the inventory manager publishes,
 * every gateway refuses at the door from what it heard, and lifts the refusal
 * as soon as units come back. The inventory manager's heartbeat is off and the
 * gateways' staleness long in these tests, so the only way a gateway can learn
 * a level is the push under test (a change, the seed command, the snapshot on
 * reconnect): a heartbeat would otherwise make each of them pass by itself.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import amqp from 'amqplib';
import { ROOT } from '../../tools/lib/system';
import { httpGet, httpPost, type HttpResult } from '../../tools/lib/http';
import { sumByLabel } from '../../tools/lib/prom-text';
import { TestSystem } from '../support/system';
import { TcpProxy } from '../support/tcp-proxy';
import { eventually, waitFor } from '../support/wait';

const NO_HEARTBEAT = { STOCK_LEVELS_HEARTBEAT_MS: '0' };
const LONG_STALENESS = { STOCK_LEVELS_STALE_MS: '600000' };

let n = 0;
const buyer = (tag: string) => `${tag}-${++n}-${Date.now().toString(36)}`;

interface Gateway {
  url: string;
}

const add = (g: Gateway, clientID: string, productID: string): Promise<HttpResult> => httpPost(`${g.url}/addToCart`, { clientID, productID, quantity: 1 });
const checkout = (g: Gateway, clientID: string): Promise<HttpResult> => httpPost(`${g.url}/checkOutCart`, { clientID });

/** Add-to-carts this gateway refused from its pushed levels, by code. */
async function doorRefusals(g: Gateway): Promise<Record<string, number>> {
  const res = await fetch(`${g.url}/metrics`);
  return sumByLabel([await res.text()], 'gateway_refused_at_door_total', 'code');
}

async function buy(g: Gateway, productID: string): Promise<HttpResult> {
  const c = buyer('winner');
  expect((await add(g, c, productID)).status).toBe(200);
  return checkout(g, c);
}

function gatewayOf(port: number | undefined): Gateway {
  return { url: `http://127.0.0.1:${port}` };
}

async function startGateway(system: TestSystem, env: Record<string, string> = {}): Promise<Gateway> {
  const proc = await system.startService('api-gateway', { ...LONG_STALENESS, ...env });
  return gatewayOf(proc.port);
}

/** Run the seed command as an operator would, against this system's database and broker. */
async function runSeed(system: TestSystem, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/inventory-manager/src/cli/seed.js'), ...args], {
    env: system.envFor('inventory-manager'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}

describe('a decline gives the unit back on every gateway within 500 ms', () => {
  let system: TestSystem;
  let gateways: Gateway[];

  beforeAll(async () => {
    system = await TestSystem.start({
      env: { PAYMENT_LATENCY_MS: '1500', PAYMENT_DECLINE_RATE: '1' },
      serviceEnv: { 'inventory-manager': NO_HEARTBEAT, 'api-gateway': LONG_STALENESS },
    });
    await system.seed({ productId: 'D', stock: 1 });
    gateways = [gatewayOf(system.running('api-gateway')[0]!.port), await startGateway(system)];
  });
  afterAll(async () => system?.stop());

  test('when the only unit is held by a payment that is then declined, then both gateways refuse ALL_RESERVED at the door meanwhile and sell again within 500 ms of the decline', async () => {
    const holder = buyer('holder');
    expect((await add(gateways[0]!, holder, 'D')).status).toBe(200);
    const paying = checkout(gateways[0]!, holder);

    // While the payment runs, both gateways hear that the unit is held and refuse at once, with Retry-After
    // (the first refusals may still come from the cart manager, before the push arrives).
    for (const g of gateways) {
      const refused = await waitFor(
        'an ALL_RESERVED refusal at the door while the unit is held',
        async () => ({ res: await add(g, buyer('early'), 'D'), door: (await doorRefusals(g)).ALL_RESERVED ?? 0 }),
        (r) => r.door > 0,
        { timeoutMs: 1_400, everyMs: 20 },
      );
      expect(refused.res.body).toMatchObject({ code: 'ALL_RESERVED' });
      expect(Number(refused.res.headers.get('retry-after'))).toBeGreaterThan(0);
    }

    const declined = await paying;
    expect(declined.body).toMatchObject({ code: 'PAYMENT_DECLINED' });
    const declinedAt = Date.now();
    const lifted = await Promise.all(
      gateways.map(async (g) => {
        await waitFor('an add-to-cart that succeeds after the decline', () => add(g, buyer('after'), 'D'), (r) => r.status === 200, { timeoutMs: 3_000, everyMs: 10 });
        return Date.now() - declinedAt;
      }),
    );
    for (const ms of lifted) expect(ms).toBeLessThan(500);
  });
});

describe('a gateway that reconnects to the broker reloads the levels', () => {
  let system: TestSystem;
  let proxy: TcpProxy;
  let direct: Gateway;
  let proxied: Gateway;

  beforeAll(async () => {
    system = await TestSystem.start({ serviceEnv: { 'inventory-manager': NO_HEARTBEAT, 'api-gateway': LONG_STALENESS } });
    direct = gatewayOf(system.running('api-gateway')[0]!.port);
    const broker = new URL(system.amqpUrl);
    proxy = await new TcpProxy(broker.hostname, Number(broker.port || 5672)).start();
    await system.seed({ productId: 'R', stock: 1 });
    await system.seed({ productId: 'S', stock: 1 });
    expect((await buy(direct, 'R')).body).toMatchObject({ status: 'Success' });
    const url = new URL(system.amqpUrl);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    proxied = await startGateway(system, { AMQP_URL: url.toString() });
  });
  afterAll(async () => {
    await system?.stop();
    await proxy?.stop();
  });

  test('when levels change while it is cut off, then after the reconnect it sells what came back and refuses what went, from the new snapshot', async () => {
    // Its start-up snapshot: R sold out, S on sale.
    await eventually(async () => expect((await add(proxied, buyer('before'), 'R')).body).toMatchObject({ code: 'SOLD_OUT' }));
    expect((await doorRefusals(proxied)).SOLD_OUT).toBeGreaterThan(0);
    expect((await add(proxied, buyer('before'), 'S')).status).toBe(200);

    proxy.cut();
    await waitFor('the proxied gateway to see the broker gone', () => httpGet(`${proxied.url}/readyz`), (r) => r.status === 503, { timeoutMs: 10_000 });
    // Missed while cut off: R restocked through the seed command, S's only unit sold.
    const seeded = await runSeed(system, ['--product', 'R', '--stock', '1']);
    expect(seeded).toMatchObject({ code: 0 });
    expect((await buy(direct, 'S')).body).toMatchObject({ status: 'Success' });
    await eventually(async () => expect((await add(direct, buyer('check'), 'S')).body).toMatchObject({ code: 'SOLD_OUT' }));

    const refusedBefore = (await doorRefusals(proxied)).SOLD_OUT ?? 0;
    proxy.restore();
    await waitFor('the proxied gateway to reconnect', () => httpGet(`${proxied.url}/readyz`), (r) => r.status === 200, { timeoutMs: 15_000 });
    // Refused at the door from the snapshot taken after the reconnect (no event about S reached it)...
    await eventually(async () => {
      expect((await add(proxied, buyer('after'), 'S')).body).toMatchObject({ code: 'SOLD_OUT' });
      expect((await doorRefusals(proxied)).SOLD_OUT).toBeGreaterThan(refusedBefore);
    });
    // ...and R, sold out in what it knew before the cut, is sold, every time.
    for (let i = 0; i < 10; i++) expect((await add(proxied, buyer('after'), 'R')).status).toBe(200);
    const winner = await buy(proxied, 'R');
    expect(winner.body).toMatchObject({ status: 'Success' });
  });
});

describe('a restock through the seed command, and a late older level', () => {
  let system: TestSystem;
  let gateways: Gateway[];

  beforeAll(async () => {
    system = await TestSystem.start({ serviceEnv: { 'inventory-manager': NO_HEARTBEAT, 'api-gateway': LONG_STALENESS } });
    await system.seed({ productId: 'T', stock: 1 });
    gateways = [gatewayOf(system.running('api-gateway')[0]!.port), await startGateway(system)];
    expect((await buy(gateways[0]!, 'T')).body).toMatchObject({ status: 'Success' });
    for (const g of gateways) await eventually(async () => expect((await add(g, buyer('sold-out'), 'T')).body).toMatchObject({ code: 'SOLD_OUT' }));
  });
  afterAll(async () => system?.stop());

  test('when a level older than the one held arrives late, then every gateway ignores it and still refuses', async () => {
    const conn = await amqp.connect(system.amqpUrl);
    try {
      const ch = await conn.createConfirmChannel();
      const stale = { levels: [{ productID: 'T', available: 5, reserved: 0, sold: 0, version: 0 }] };
      ch.publish(system.topology.stockLevelsExchange, '', Buffer.from(JSON.stringify(stale)), { contentType: 'application/json' });
      await ch.waitForConfirms();
    } finally {
      await conn.close();
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const g of gateways) {
      const before = (await doorRefusals(g)).SOLD_OUT ?? 0;
      expect((await add(g, buyer('late'), 'T')).body).toMatchObject({ code: 'SOLD_OUT' });
      expect((await doorRefusals(g)).SOLD_OUT).toBe(before + 1);
    }
  });

  test('when the seed command restocks a sold-out product, then every gateway sells it again at once', async () => {
    const seeded = await runSeed(system, ['--product', 'T', '--stock', '2']);
    expect(seeded).toMatchObject({ code: 0, stderr: '' });
    expect(seeded.stdout).toContain('restocked T: available 2');
    // The push reaches the gateways in milliseconds; the wait only covers its trip.
    for (const g of gateways) {
      await waitFor('an add-to-cart that succeeds after the restock', () => add(g, buyer('restocked'), 'T'), (r) => r.status === 200, { timeoutMs: 500, everyMs: 10 });
    }
    const winners = await Promise.all(gateways.map((g) => buy(g, 'T')));
    expect(winners.map((w) => w.body.status)).toEqual(['Success', 'Success']);
    await system.settle();
    expect((await system.audit(true)).violations).toEqual([]);
  });
});
