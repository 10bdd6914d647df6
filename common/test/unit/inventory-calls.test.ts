import { inCalls } from '../../src/inventory-client';

describe('inCalls', () => {
  it('makes one call for a batch within the limit', async () => {
    const calls: number[][] = [];
    expect(await inCalls([1, 2, 3], async (part) => (calls.push(part), part.map((x) => x * 10)), 3)).toEqual([10, 20, 30]);
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('splits a longer batch into consecutive calls of at most the limit, results in order', async () => {
    const calls: number[][] = [];
    let running = 0;
    const out = await inCalls(
      [1, 2, 3, 4, 5, 6, 7],
      async (part) => {
        expect(++running).toBe(1); // one after the other: arrival order holds across calls
        calls.push(part);
        await new Promise((r) => setTimeout(r, 1));
        running--;
        return part.map((x) => -x);
      },
      3,
    );
    expect(calls).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(out).toEqual([-1, -2, -3, -4, -5, -6, -7]);
  });
});
