import { sameTick } from '../../src/db/same-tick';

describe('sameTick (calls of one turn of the event loop share one load)', () => {
  test('when calls are made in the same turn, then one load serves them all, each with its own value', async () => {
    const loads: number[][] = [];
    const double = sameTick(async (keys: number[]) => (loads.push(keys), keys.map((k) => k * 2)));
    expect(await Promise.all([double(1), double(2), double(3)])).toEqual([2, 4, 6]);
    expect(loads).toEqual([[1, 2, 3]]);
  });

  test('when calls are made in different turns, then each turn has its own load', async () => {
    const loads: number[][] = [];
    const same = sameTick(async (keys: number[]) => (loads.push(keys), keys));
    const first = same(1);
    await new Promise((r) => setImmediate(r));
    const second = same(2);
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(loads).toEqual([[1], [2]]);
  });

  test('when calls whose latency ends in the same timers phase load, then they share the load', async () => {
    const loads: number[][] = [];
    const same = sameTick(async (keys: number[]) => (loads.push(keys), keys));
    const after = (k: number) => new Promise<void>((r) => setTimeout(r, 5)).then(() => same(k));
    const calls = [after(1), after(2), after(3)];
    // Node reads the clock for each setTimeout: on a busy machine the three can start a millisecond
    // apart, and the later ones then expire in the next turn. Hold this turn until all three are due,
    // so the next timers phase runs their three callbacks (as payments of one latency ending together).
    const due = Date.now() + 20;
    while (Date.now() < due);
    expect(await Promise.all(calls)).toEqual([1, 2, 3]);
    expect(loads).toEqual([[1, 2, 3]]);
  });

  test('when the shared load fails, then each call is loaded alone and only the bad key fails', async () => {
    const loads: number[][] = [];
    const same = sameTick(async (keys: number[]) => {
      loads.push(keys);
      if (keys.includes(13)) throw new Error('13 breaks a constraint');
      return keys;
    });
    const results = await Promise.allSettled([same(1), same(13), same(2)]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: new Error('13 breaks a constraint') },
      { status: 'fulfilled', value: 2 },
    ]);
    expect(loads).toEqual([[1, 13, 2], [1], [13], [2]]);
  });

  test('when a load returns the wrong number of values, then its callers fail', async () => {
    const same = sameTick(async (keys: number[]) => keys.slice(1));
    await expect(same(1)).rejects.toThrow('load returned 0 values for 1 keys');
    await expect(Promise.all([same(1), same(2)])).rejects.toThrow('load returned 1 values for 2 keys');
  });
});
