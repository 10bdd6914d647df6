import net from 'node:net';
import { freeLowPort, freePort, portOpen } from '../../../lib/ports';

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('free ports', () => {
  test('when ports are picked, then each can be bound, and none is handed out twice', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(new Set(ports).size).toBe(20);
    const servers = await Promise.all(ports.slice(0, 3).map(listen));
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  test('when a low port is asked for, then it is below the ephemeral range', async () => {
    const port = await freeLowPort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(32_768);
  });

  test('portOpen says whether something listens', async () => {
    const server = await listen(0);
    const { port } = server.address() as net.AddressInfo;
    expect(await portOpen(port)).toBe(true);
    await new Promise((r) => server.close(r));
    expect(await portOpen(port)).toBe(false);
  });
});
