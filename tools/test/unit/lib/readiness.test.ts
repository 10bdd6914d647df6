import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { freePort } from '../../../lib/ports';
import { grpcHealthProbe, httpReadyzProbe, type Probe, type ProbeAnswer, waitUntilReady } from '../../../lib/readiness';

const notAnswered: ProbeAnswer = { ready: false, answered: false, detail: 'ECONNREFUSED' };
const notReady: ProbeAnswer = { ready: false, answered: true, detail: '503 database down' };

function scripted(...answers: ProbeAnswer[]): Probe {
  let i = 0;
  return async () => answers[Math.min(i++, answers.length - 1)]!;
}

describe('waiting until a service is ready', () => {
  test('when its probes say ready after a while, then the wait resolves ready', async () => {
    await expect(waitUntilReady('svc', [scripted(notAnswered, notReady, { ready: true })], () => null, { timeoutMs: 5_000, intervalMs: 1 })).resolves.toEqual({ ready: true });
  });

  test('when it keeps answering not ready past the grace, then the wait resolves not ready with the reason', async () => {
    const result = await waitUntilReady('svc', [scripted(notAnswered, notReady)], () => null, { timeoutMs: 5_000, notReadyGraceMs: 50, intervalMs: 5 });
    expect(result).toEqual({ ready: false, detail: '503 database down' });
  });

  test('when it never answers, then the wait rejects at the timeout naming the last answer; without a grace, not ready is waited for', async () => {
    await expect(waitUntilReady('svc', [scripted(notAnswered)], () => null, { timeoutMs: 50, notReadyGraceMs: 10, intervalMs: 5 })).rejects.toThrow('svc not ready after 50 ms (last: ECONNREFUSED)');
    await expect(waitUntilReady('svc', [scripted(notReady)], () => null, { timeoutMs: 50, intervalMs: 5 })).rejects.toThrow(/not ready after 50 ms/);
  });

  test('when the process exits first, then the wait rejects saying so', async () => {
    await expect(waitUntilReady('svc', [scripted(notAnswered)], () => 'exited with 1', { timeoutMs: 5_000 })).rejects.toThrow('svc exited with 1 before it was ready');
  });
});

describe('probes of public surfaces', () => {
  test('GET /readyz: 200 is ready, 503 answers not ready, nothing listening is not answered', async () => {
    let status = 503;
    const server = http.createServer((req, res) => res.writeHead(req.url === '/readyz' ? status : 404).end('{"status":"Failed"}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`;
    try {
      expect(await httpReadyzProbe(url)()).toMatchObject({ ready: false, answered: true });
      status = 200;
      expect(await httpReadyzProbe(url)()).toEqual({ ready: true });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    expect(await httpReadyzProbe(url)()).toMatchObject({ ready: false, answered: false });
  });

  test('grpc.health.v1: SERVING is ready, NOT_SERVING answers not ready, a server not up yet is not answered', async () => {
    const port = await freePort();
    const probe = grpcHealthProbe(`127.0.0.1:${port}`);
    const server = new grpc.Server();
    try {
      expect(await probe()).toMatchObject({ ready: false, answered: false });
      const health = new HealthImplementation({ '': 'NOT_SERVING' });
      health.addToServer(server);
      await new Promise<void>((resolve, reject) => server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
      const started = Date.now();
      await expect(waitUntilReady('health', [probe], () => null, { timeoutMs: 5_000, notReadyGraceMs: 0, intervalMs: 20 })).resolves.toMatchObject({ ready: false, detail: expect.stringContaining('NOT_SERVING') });
      expect(Date.now() - started).toBeLessThan(2_000); // reconnects fast once the port is bound
      health.setStatus('', 'SERVING');
      expect(await probe()).toEqual({ ready: true });
    } finally {
      probe.close();
      server.forceShutdown();
    }
  });
});
