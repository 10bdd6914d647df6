import { setTimeout as sleep } from 'node:timers/promises';
import type { ServingStatus } from 'grpc-health-check';
import { createLogger } from '../../../common/src/logger';
import type { DependencyStatus } from '../../../common/src/readiness';
import { startHealthReporting } from '../../src/jobs/health';

const log = createLogger('test', 'silent');
const SERVICES = ['', 'flashsale.inventory.v1.Inventory'];

function recorder() {
  const now = new Map<string, ServingStatus>();
  return { now, setStatus: (service: string, status: ServingStatus) => void now.set(service, status) };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i > 200) throw new Error('condition not met within 2 s');
    await sleep(10);
  }
}

describe('gRPC health reporting', () => {
  test('when the database answers, then every service is SERVING as soon as the job has started', async () => {
    const health = recorder();
    const stop = await startHealthReporting(health, SERVICES, async () => 'up', log, 10_000);
    expect(Object.fromEntries(health.now)).toEqual({ '': 'SERVING', 'flashsale.inventory.v1.Inventory': 'SERVING' });
    await stop();
  });

  test('when the database stops answering, then NOT_SERVING; when it is back, then SERVING again', async () => {
    const health = recorder();
    let database: DependencyStatus = 'up';
    const stop = await startHealthReporting(health, SERVICES, async () => database, log, 10);
    database = 'down: connection refused';
    await until(() => health.now.get('') === 'NOT_SERVING');
    expect(health.now.get('flashsale.inventory.v1.Inventory')).toBe('NOT_SERVING');
    database = 'up';
    await until(() => health.now.get('') === 'SERVING');
    await stop();
  });

  test('when the check itself throws, then NOT_SERVING (never a crash of the job)', async () => {
    const health = recorder();
    const stop = await startHealthReporting(health, SERVICES, () => Promise.reject(new Error('boom')), log, 10_000);
    expect(health.now.get('')).toBe('NOT_SERVING');
    await stop();
  });

  test('when shutdown starts, then NOT_SERVING, and a probe still in flight cannot turn it back to SERVING', async () => {
    const health = recorder();
    let release: (s: DependencyStatus) => void = () => undefined;
    let calls = 0;
    const check = () => (++calls === 1 ? Promise.resolve<DependencyStatus>('up') : new Promise<DependencyStatus>((resolve) => (release = resolve)));
    const stop = await startHealthReporting(health, SERVICES, check, log, 10);
    await until(() => calls >= 2); // a second probe is in flight
    const stopped = stop();
    expect(health.now.get('')).toBe('NOT_SERVING');
    expect(health.now.get('flashsale.inventory.v1.Inventory')).toBe('NOT_SERVING');
    release('up');
    await stopped;
    expect(health.now.get('')).toBe('NOT_SERVING');
  });
});
