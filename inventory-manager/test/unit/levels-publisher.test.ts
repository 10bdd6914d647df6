import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../../common/src/logger';
import type { StockLevelsMessage } from '../../../contracts/messages';
import type { StockLevel } from '../../../contracts/stock';
import { StockLevelsPublisher } from '../../src/levels/publisher';

const log = createLogger('test', 'silent');
const turn = () => new Promise((r) => setImmediate(r));

/** A fake database (a version per product, bumped by `move`) and a fake exchange that records each message. */
function fakes(productIds = ['A', 'B']) {
  const versions = new Map(productIds.map((id) => [id, 0]));
  const sent: StockLevelsMessage[] = [];
  const reads: (readonly string[] | 'all')[] = [];
  let failing = false;
  const levelOf = (id: string): StockLevel => ({ productID: id, available: 10, reserved: 0, sold: 0, version: versions.get(id)! });
  return {
    sent,
    reads,
    move: (id: string) => versions.set(id, versions.get(id)! + 1),
    fail: (on: boolean) => (failing = on),
    deps: {
      read: async (which: readonly string[] | 'all') => {
        reads.push(which);
        if (failing) throw new Error('database away');
        return (which === 'all' ? [...versions.keys()] : which).map(levelOf);
      },
      send: async (message: StockLevelsMessage) => {
        sent.push(message);
      },
      log,
    },
  };
}

describe('StockLevelsPublisher: the first change at once, later ones coalesced, every product in a heartbeat', () => {
  test('when a product changes after a quiet spell, then its level goes out in the same turn, with the version read after the change', async () => {
    const f = fakes();
    const publisher = new StockLevelsPublisher(f.deps, { intervalMs: 200, heartbeatMs: 0 });
    f.move('A');
    publisher.changed(['A']);
    await turn();
    await turn();
    expect(f.sent).toEqual([{ levels: [{ productID: 'A', available: 10, reserved: 0, sold: 0, version: 1 }] }]);
    await publisher.stop();
  });

  test('when many changes follow within the interval, then they go out together in one later message carrying the newest version', async () => {
    const f = fakes();
    const publisher = new StockLevelsPublisher(f.deps, { intervalMs: 100, heartbeatMs: 0 });
    publisher.changed(['A']);
    await turn();
    await turn();
    for (let i = 0; i < 5; i++) {
      f.move('A');
      publisher.changed(['A']);
      f.move('B');
      publisher.changed(['B']);
    }
    await turn();
    expect(f.sent).toHaveLength(1);
    await sleep(150);
    expect(f.sent).toHaveLength(2);
    expect(f.sent[1].levels.map((l) => [l.productID, l.version]).sort()).toEqual([
      ['A', 5],
      ['B', 5],
    ]);
    expect(f.reads[1]).toEqual(expect.arrayContaining(['A', 'B']));
    await publisher.stop();
  });

  test('when the heartbeat is on, then every product goes out on each beat, changed or not', async () => {
    const f = fakes(['A', 'B', 'C']);
    const publisher = new StockLevelsPublisher(f.deps, { intervalMs: 100, heartbeatMs: 40 });
    publisher.start();
    await sleep(130);
    await publisher.stop();
    expect(f.sent.length).toBeGreaterThanOrEqual(2);
    for (const message of f.sent) expect(message.levels.map((l) => l.productID)).toEqual(['A', 'B', 'C']);
    expect(f.reads.every((r) => r === 'all')).toBe(true);
  });

  test('when reading the levels fails, then nothing is sent and the next change is tried again', async () => {
    const f = fakes();
    const publisher = new StockLevelsPublisher(f.deps, { intervalMs: 20, heartbeatMs: 0 });
    f.fail(true);
    publisher.changed(['A']);
    await sleep(10);
    expect(f.sent).toHaveLength(0);
    f.fail(false);
    publisher.changed(['A']);
    await sleep(40);
    expect(f.sent).toHaveLength(1);
    await publisher.stop();
  });

  test('when stopped with changes noted, then they go out before stop resolves, and later changes are not sent', async () => {
    const f = fakes();
    const publisher = new StockLevelsPublisher(f.deps, { intervalMs: 10_000, heartbeatMs: 0 });
    publisher.changed(['A']);
    await turn();
    await turn();
    publisher.changed(['B']);
    await publisher.stop();
    expect(f.sent.map((m) => m.levels.map((l) => l.productID))).toEqual([['A'], ['B']]);
    publisher.changed(['A']);
    await sleep(20);
    expect(f.sent).toHaveLength(2);
  });
});
