/**
 * A service started on a port something else holds: one line naming the port
 * and the variable to change, exit code 1, no stack trace, and nothing
 * connected first. The broker and the database it is pointed at are
 * recording TCP servers: the test proves no connection reached them.
 * Runs the built services (dist/): `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from '../../tools/lib/system';

interface Listener {
  server: net.Server;
  port: number;
  connections: number;
}

/** A TCP server that counts connections and never answers (stands in for RabbitMQ, MariaDB, the squatter). */
async function recordingServer(): Promise<Listener> {
  const listener: Listener = { server: net.createServer(), port: 0, connections: 0 };
  listener.server.on('connection', (socket) => {
    listener.connections++;
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => listener.server.listen(0, '127.0.0.1', resolve));
  listener.port = (listener.server.address() as net.AddressInfo).port;
  return listener;
}

async function close(listener: Listener): Promise<void> {
  await new Promise((resolve) => {
    listener.server.close(resolve);
    (listener.server as net.Server & { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  ms: number;
}

function runService(service: string, env: Record<string, string>, timeoutMs = 20_000): Promise<Run> {
  const main = path.join(ROOT, 'dist', service, 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  const started = Date.now();
  const child = spawn('node', [main], { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, output, ms: Date.now() - started });
    }),
  );
}

const CASES: Array<{ service: string; variable: string; env: (port: number) => Record<string, string>; hint?: string }> = [
  { service: 'api-gateway', variable: 'PORT', env: (port) => ({ PORT: String(port), HOST: '127.0.0.1' }) },
  { service: 'cart-manager', variable: 'OPS_PORT', env: (port) => ({ OPS_PORT: String(port), OPS_HOST: '127.0.0.1' }) },
  { service: 'checkout-manager', variable: 'OPS_PORT', env: (port) => ({ OPS_PORT: String(port), OPS_HOST: '127.0.0.1' }) },
  {
    service: 'inventory-manager',
    variable: 'GRPC_PORT',
    env: (port) => ({ GRPC_PORT: String(port), GRPC_HOST: '127.0.0.1' }),
    hint: ' (and INVENTORY_ADDR of the checkout managers to match)',
  },
  { service: 'inventory-manager', variable: 'OPS_PORT', env: (port) => ({ GRPC_PORT: '0', GRPC_HOST: '127.0.0.1', OPS_PORT: String(port), OPS_HOST: '127.0.0.1' }) },
];

describe('a port already in use', () => {
  let squatter: Listener;
  let broker: Listener;
  let database: Listener;

  beforeAll(async () => {
    [squatter, broker, database] = await Promise.all([recordingServer(), recordingServer(), recordingServer()]);
  });
  afterAll(async () => {
    await Promise.all([squatter, broker, database].filter(Boolean).map(close));
  });

  test.each(CASES)('when $service is started with $variable on a port in use, then one line names the port and $variable, exit 1, nothing connected', async ({ service, variable, env, hint }) => {
    const before = { broker: broker.connections, database: database.connections };
    const run = await runService(service, {
      AMQP_URL: `amqp://guest:guest@127.0.0.1:${broker.port}`,
      DB_HOST: '127.0.0.1',
      DB_PORT: String(database.port),
      // The other listeners of the service pick free ports.
      OPS_PORT: '0',
      PORT: '0',
      GRPC_PORT: '0',
      ...env(squatter.port),
    });

    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.output).toBe(`${service}: port ${squatter.port} is already in use; set ${variable} to another port${hint ?? ''}\n`);
    expect(run.output).not.toMatch(/^\s+at /m);
    // Bound (and failed) before connecting to anything.
    expect({ broker: broker.connections - before.broker, database: database.connections - before.database }).toEqual({ broker: 0, database: 0 });
    expect(run.ms).toBeLessThan(10_000);
  });
});
