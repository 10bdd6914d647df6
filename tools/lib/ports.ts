/**
 * Ports on 127.0.0.1: a free one for a service the harness starts (the kernel
 * picks it: bind port 0, read it, close), a free one below the ephemeral range
 * for a service restarted on a fixed address, and whether one is open.
 */
import net from 'node:net';

/** Ports handed out by this process recently: a port just released is not handed out twice before its service binds it. */
const handedOut = new Set<number>();
const HAND_OUT_MEMORY = 4_096;

function listenOnce(port: number, host: string): Promise<number | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(null));
    server.listen(port, host, () => {
      const bound = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

function remember(port: number): number {
  handedOut.add(port);
  if (handedOut.size > HAND_OUT_MEMORY) handedOut.delete(handedOut.values().next().value!);
  return port;
}

/** A port the kernel says is free now (bound on host with port 0, then released). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await listenOnce(0, host);
    if (port !== null && !handedOut.has(port)) return remember(port);
  }
  throw new Error(`no free port on ${host}`);
}

/** A free port below the ephemeral range (32768+), for services chaos restarts on a fixed address. */
export async function freeLowPort(from = 20_000, to = 30_000): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = from + Math.floor(Math.random() * (to - from));
    if (handedOut.has(port)) continue;
    if ((await listenOnce(port, '127.0.0.1')) !== null) return remember(port);
  }
  throw new Error('no free port found below 32768');
}

/** Something accepts connections on 127.0.0.1:port. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
