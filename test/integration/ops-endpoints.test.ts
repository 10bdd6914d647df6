import { randomBytes } from 'node:crypto';
import net from 'node:net';
import mysql from 'mysql2/promise';
import { Client } from 'undici';
import { dbServerFromEnv } from '../support/infrastructure';
import { TestSystem } from '../support/system';
import { waitFor } from '../support/wait';

const SERVER = dbServerFromEnv();
const DB = { host: SERVER.DB_HOST, port: SERVER.DB_PORT, user: SERVER.DB_USER, password: SERVER.DB_PASSWORD };

/** GET routes of the gateway that read the database: each must be 503 + Retry-After while it cannot be reached. */
const DATABASE_ROUTES = ['/products/X', '/products', '/orders/3f0b8f38-8f1e-4b8a-9d0e-6c7f0a1b2c3d', '/orders?clientID=c1', '/carts/c1'];

async function getJson(url: string): Promise<{ status: number; body: any; retryAfter: string | null }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after') };
}

/** A port on which nothing listens (bound for a moment, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('health and metrics on every service', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start();
  });
  afterAll(async () => system?.stop());

  test('when each worker and the inventory manager are asked, then /healthz, /readyz and /metrics answer', async () => {
    const expectedChecks = {
      'inventory-manager': { database: 'up' },
      'cart-manager': { broker: 'up', database: 'up' },
      'checkout-manager': { broker: 'up', database: 'up' },
    };
    for (const name of ['inventory-manager', 'cart-manager', 'checkout-manager'] as const) {
      const [proc] = system.running(name);
      expect(proc?.opsPort).toBeGreaterThan(0);
      const base = `http://127.0.0.1:${proc!.opsPort}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await getJson(`${base}/readyz`);
      expect(ready).toMatchObject({ status: 200, body: { status: 'ready', checks: expectedChecks[name] } });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain(`service="${name}"`);
      expect(metrics).toMatch(/^worker_inflight_messages\{[^}]*\} 0$/m);
    }
    expect(await getJson(`${system.gatewayUrl}/readyz`)).toMatchObject({ status: 200, body: { status: 'ready', checks: { broker: 'up', database: 'up' } } });
  });

  test('when clients hold connections open, then the gateway counts them', async () => {
    const clients = Array.from({ length: 30 }, () => new Client(system.gatewayUrl));
    try {
      await Promise.all(clients.map((c) => c.request({ path: '/healthz', method: 'GET' }).then((r) => r.body.text())));
      const metrics = await (await fetch(`${system.gatewayUrl}/metrics`)).text();
      const open = Number(/^gateway_open_connections\{[^}]*\} (\d+)$/m.exec(metrics)?.[1]);
      expect(open).toBeGreaterThanOrEqual(30);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});

describe('the gateway cannot reach the database', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ inventoryOnly: true });
  });
  afterAll(async () => system?.stop());

  test('when its DB_PASSWORD is wrong, then /readyz is 503 naming the database, every route reading it is 503 SERVICE_UNAVAILABLE with Retry-After, /healthz 200', async () => {
    const gateway = await system.startService('api-gateway', { DB_PASSWORD: 'not-the-password', RETRY_AFTER_SECONDS: '3' });
    const url = `http://127.0.0.1:${gateway.port}`;

    const ready = await getJson(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.retryAfter).toBe('3');
    expect(ready.body).toEqual({
      status: 'Failed',
      code: 'SERVICE_UNAVAILABLE',
      error: 'not ready: database down: access denied',
      checks: { broker: 'up', database: 'down: access denied' },
    });

    for (const route of DATABASE_ROUTES) {
      const res = await getJson(`${url}${route}`);
      expect({ route, status: res.status, retryAfter: res.retryAfter, body: res.body }).toEqual({
        route,
        status: 503,
        retryAfter: '3',
        body: { status: 'Failed', code: 'SERVICE_UNAVAILABLE', error: 'the database is unavailable, retry later' },
      });
    }
    // The driver's text (user, host) never reaches the client.
    expect(JSON.stringify(ready.body)).not.toMatch(/root|using password/i);

    const alive = await getJson(`${url}/healthz`);
    expect(alive).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  test('when nothing listens on its DB_PORT, then /readyz says connection refused and GET /products/X is 503 with Retry-After', async () => {
    const gateway = await system.startService('api-gateway', { DB_PORT: String(await closedPort()) });
    const url = `http://127.0.0.1:${gateway.port}`;
    const ready = await getJson(`${url}/readyz`);
    expect(ready).toMatchObject({ status: 503, body: { checks: { broker: 'up', database: 'down: connection refused' } } });
    const product = await getJson(`${url}/products/X`);
    expect(product).toMatchObject({ status: 503, body: { code: 'SERVICE_UNAVAILABLE' } });
    expect(Number(product.retryAfter)).toBeGreaterThan(0);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});

describe('the database goes away while every service runs', () => {
  // Each service logs in as a user of its own; changing its password and
  // killing its connections is an outage for these processes only.
  const user = `fs_t_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(8).toString('hex');
  const dbName = `fs_test_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  let admin: mysql.Connection;
  let system: TestSystem;

  beforeAll(async () => {
    admin = await mysql.createConnection(DB);
    await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', password]);
    await admin.query(`GRANT ALL PRIVILEGES ON \`${dbName}\`.* TO ?@?`, [user, '%']);
    system = await TestSystem.start({ dbName, env: { DB_USER: user, DB_PASSWORD: password } });
  });
  afterAll(async () => {
    await system?.stop();
    await admin?.query('DROP USER IF EXISTS ?@?', [user, '%']);
    await admin?.end();
  });

  function readyzUrls(): Array<[string, string]> {
    const urls: Array<[string, string]> = [['api-gateway', `${system.gatewayUrl}/readyz`]];
    for (const name of ['inventory-manager', 'cart-manager', 'checkout-manager'] as const) {
      for (const proc of system.running(name)) urls.push([name, `http://127.0.0.1:${proc.opsPort}/readyz`]);
    }
    return urls;
  }

  async function databaseStatuses(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [name, url] of readyzUrls()) {
      const { status, body } = await getJson(url);
      out[name] = `${status} ${body.checks?.database}`;
    }
    return out;
  }

  test('when its password changes and its connections are killed, then every /readyz is 503 naming the database, /healthz stays 200, and all recover', async () => {
    expect(Object.values(await databaseStatuses())).toEqual(['200 up', '200 up', '200 up', '200 up']);

    await admin.query('ALTER USER ?@? IDENTIFIED BY ?', [user, '%', 'changed-by-the-test']);
    const [sessions] = await admin.query<mysql.RowDataPacket[]>('SELECT id FROM information_schema.processlist WHERE user = ?', [user]);
    for (const { id } of sessions) await admin.query(`KILL CONNECTION ${Number(id)}`).catch(() => undefined);

    const down = await waitFor('every /readyz to report the database down', databaseStatuses, (s) => Object.values(s).every((v) => v === '503 down: access denied'));
    expect(Object.keys(down).sort()).toEqual(['api-gateway', 'cart-manager', 'checkout-manager', 'inventory-manager']);
    const [, cartUrl] = readyzUrls().find(([name]) => name === 'cart-manager')!;
    expect((await getJson(cartUrl)).body).toEqual({
      status: 'Failed',
      code: 'SERVICE_UNAVAILABLE',
      error: 'not ready: database down: access denied',
      checks: { broker: 'up', database: 'down: access denied' },
    });
    for (const [, url] of readyzUrls()) expect((await fetch(url.replace('/readyz', '/healthz'))).status).toBe(200);
    const product = await system.get('/products/X');
    expect(product.status).toBe(503);
    expect(product.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(Number(product.headers.get('retry-after'))).toBeGreaterThan(0);

    await admin.query('ALTER USER ?@? IDENTIFIED BY ?', [user, '%', password]);
    await waitFor('every /readyz to report the database up again', databaseStatuses, (s) => Object.values(s).every((v) => v === '200 up'));
    expect(system.processes.every((p) => p.child.exitCode === null && p.child.signalCode === null)).toBe(true);
    expect((await system.get('/products/X')).status).toBe(404);
  });
});
