import { Client } from 'undici';
import { TestSystem } from '../support/system';

describe('health and metrics on every service', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start();
  });
  afterAll(async () => system?.stop());

  test('when each worker and the inventory manager are asked, then /healthz, /readyz and /metrics answer', async () => {
    for (const name of ['inventory-manager', 'cart-manager', 'checkout-manager'] as const) {
      const [proc] = system.running(name);
      expect(proc?.opsPort).toBeGreaterThan(0);
      const base = `http://127.0.0.1:${proc!.opsPort}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain(`service="${name}"`);
      expect(metrics).toMatch(/^worker_inflight_messages\{[^}]*\} 0$/m);
    }
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
