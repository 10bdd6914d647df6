import { AppError, TransientError } from '../../../common/src/errors';
import { createLogger } from '../../../common/src/logger';
import { Coalescer, type Outcome, serveIsolated } from '../../src/coalesce/coalescer';

const log = createLogger('test', 'silent');

interface Req {
  id: string;
  keys: string[];
}

/** A fake transaction: records each batch, answers when released (or at once), refuses ids starting with "no", throws on "bad". */
function fakeRun(options: { manual?: boolean } = {}) {
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  let running = 0;
  let maxRunning = 0;
  const run = async (batch: readonly Req[]): Promise<Outcome<string>[]> => {
    batches.push(batch.map((r) => r.id));
    running++;
    maxRunning = Math.max(maxRunning, running);
    try {
      if (options.manual) await new Promise<void>((resolve) => gates.push(resolve));
      else await Promise.resolve();
      if (batch.some((r) => r.id.startsWith('bad'))) throw new Error('a constraint of one request');
      if (batch.some((r) => r.id.startsWith('down'))) throw new AppError({ code: 'SERVICE_UNAVAILABLE', message: 'db down', retryable: true });
      return batch.map((r) => (r.id.startsWith('no') ? { ok: false, error: new AppError({ code: 'SOLD_OUT', message: r.id }) } : { ok: true, value: `ok:${r.id}` }));
    } finally {
      running--;
    }
  };
  return {
    run,
    batches,
    maxRunning: () => maxRunning,
    /** Let the oldest running batch answer. */
    release: async () => {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    },
  };
}

function coalescer(run: (b: readonly Req[]) => Promise<Outcome<string>[]>, maxBatch = 100) {
  return new Coalescer<Req, string>({
    maxBatch,
    keysOf: (r) => r.keys,
    run,
    isWholeFailure: (err) => err instanceof TransientError || (err instanceof AppError && err.retryable),
    log,
  });
}

const settle = (p: Promise<string>) =>
  p.then(
    (v) => v,
    (e: unknown) => `err:${e instanceof AppError ? e.code : (e as Error).message}`,
  );
const turn = () => new Promise((r) => setImmediate(r));

describe('the coalescer', () => {
  test('when one call comes alone, then it is a batch of one, served at the end of the turn without a timer', async () => {
    const fake = fakeRun();
    const c = coalescer(fake.run);
    expect(await c.submit({ id: 'a', keys: ['x'] })).toBe('ok:a');
    expect(fake.batches).toEqual([['a']]);
    expect(c.stats).toEqual({ batches: 1, calls: 1 });
  });

  test('when calls arrive while a batch on their row runs, then they wait and the next batch takes all of them, up to the bound', async () => {
    const fake = fakeRun({ manual: true });
    const c = coalescer(fake.run, 3);
    const first = c.submit({ id: 'a', keys: ['x'] });
    await turn();
    expect(fake.batches).toEqual([['a']]);
    const later = ['b', 'c', 'd', 'e'].map((id) => c.submit({ id, keys: ['x'] }));
    await turn();
    expect(fake.batches).toHaveLength(1); // they wait for the row
    await fake.release();
    expect(await first).toBe('ok:a');
    expect(fake.batches).toEqual([['a'], ['b', 'c', 'd']]);
    await fake.release();
    expect(fake.batches).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
    await fake.release();
    expect(await Promise.all(later)).toEqual(['ok:b', 'ok:c', 'ok:d', 'ok:e']);
    expect(fake.maxRunning()).toBe(1);
    expect(c.stats).toEqual({ batches: 3, calls: 5 });
  });

  test('when calls of the same turn name different rows, then they share one batch; a row busy with a batch holds back only its calls', async () => {
    const fake = fakeRun({ manual: true });
    const c = coalescer(fake.run);
    const all = [c.submit({ id: 'a', keys: ['x'] }), c.submit({ id: 'b', keys: ['y'] })];
    await turn();
    expect(fake.batches).toEqual([['a', 'b']]);
    all.push(c.submit({ id: 'c', keys: ['x'] }), c.submit({ id: 'd', keys: ['z'] }), c.submit({ id: 'e', keys: ['z', 'x'] }), c.submit({ id: 'f', keys: ['z'] }));
    await turn();
    // d starts at once on the free row z; e waits for x, and f, behind e on z, does not overtake it.
    expect(fake.batches).toEqual([['a', 'b'], ['d']]);
    expect(fake.maxRunning()).toBe(2);
    await fake.release(); // a, b done: c goes (x free); e waits for z (d), and f stays behind e
    expect(fake.batches).toEqual([['a', 'b'], ['d'], ['c']]);
    await fake.release(); // d done
    await fake.release(); // c done: e and f, both on z, share the next batch
    expect(fake.batches.slice(3)).toEqual([['e', 'f']]);
    await fake.release();
    expect(await Promise.all(all)).toEqual(['ok:a', 'ok:b', 'ok:c', 'ok:d', 'ok:e', 'ok:f']);
  });

  test('when one call is refused, then only that call gets its refusal', async () => {
    const fake = fakeRun();
    const c = coalescer(fake.run);
    const results = await Promise.all(['a', 'no1', 'b'].map((id) => settle(c.submit({ id, keys: ['x'] }))));
    expect(results).toEqual(['ok:a', 'err:SOLD_OUT', 'ok:b']);
    expect(fake.batches).toEqual([['a', 'no1', 'b']]);
  });

  test('when a batch fails because of one request, then it is split until that request fails alone; its neighbours succeed, in arrival order', async () => {
    const fake = fakeRun();
    const c = coalescer(fake.run);
    const ids = ['a', 'b', 'c', 'bad', 'd', 'e', 'f', 'g'];
    const results = await Promise.all(ids.map((id) => settle(c.submit({ id, keys: ['x'] }))));
    expect(results).toEqual(['ok:a', 'ok:b', 'ok:c', 'err:a constraint of one request', 'ok:d', 'ok:e', 'ok:f', 'ok:g']);
    expect(fake.batches).toEqual([ids, ['a', 'b', 'c', 'bad'], ['a', 'b'], ['c', 'bad'], ['c'], ['bad'], ['d', 'e', 'f', 'g']]);
    expect(c.stats.calls).toBe(8);
  });

  test('when the database is down, then every call of the batch fails with it at once (no splitting)', async () => {
    const fake = fakeRun();
    const c = coalescer(fake.run);
    const results = await Promise.all(['a', 'down', 'b'].map((id) => settle(c.submit({ id, keys: ['x'] }))));
    expect(results).toEqual(['err:SERVICE_UNAVAILABLE', 'err:SERVICE_UNAVAILABLE', 'err:SERVICE_UNAVAILABLE']);
    expect(fake.batches).toHaveLength(1);
  });

  test('idle() resolves once nothing waits and nothing runs', async () => {
    const fake = fakeRun({ manual: true });
    const c = coalescer(fake.run);
    await c.idle();
    const p = c.submit({ id: 'a', keys: ['x'] });
    let idle = false;
    const done = c.idle().then(() => (idle = true));
    await turn();
    expect(idle).toBe(false);
    await fake.release();
    await p;
    await done;
    expect(idle).toBe(true);
  });

  test('a bound below 1 is refused', () => {
    expect(() => coalescer(fakeRun().run, 0)).toThrow(/maxBatch/);
  });
});

describe('serveIsolated (the sweeper)', () => {
  test('when a list is served, then in batches of the bound, one after the other, each request with its own outcome', async () => {
    const fake = fakeRun();
    const reqs = ['a', 'bad', 'c', 'd', 'e'].map((id) => ({ id, keys: [] }));
    const { outcomes, stats } = await serveIsolated<Req, string>(reqs, { maxBatch: 3, run: fake.run, isWholeFailure: () => false, log });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, true, true]);
    expect(fake.batches[0]).toEqual(['a', 'bad', 'c']);
    expect(stats.calls).toBe(5);
  });
});
