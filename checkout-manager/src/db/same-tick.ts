/**
 * Calls made in the same turn of the event loop share one run of `load` (one
 * query for all of them), and each caller gets its own value back. A batch
 * charges its orders side by side, so their payment bookkeeping arrives
 * together: one read and one multi-row write for the batch instead of one of
 * each per order, which keeps a small pool from queueing thousands of them.
 *
 * If the shared run fails and it served more than one call, each call is run
 * again alone, so a key that cannot be loaded fails only its own caller.
 */
export function sameTick<K, V>(load: (keys: K[]) => Promise<V[]>): (key: K) => Promise<V> {
  type Call = { key: K; resolve: (value: V) => void; reject: (err: unknown) => void };
  let waiting: Call[] | null = null;

  const run = (calls: Call[]): Promise<void> =>
    load(calls.map((c) => c.key)).then(
      (values) => {
        if (values.length !== calls.length) throw new Error(`load returned ${values.length} values for ${calls.length} keys`);
        calls.forEach((c, i) => c.resolve(values[i]!));
      },
      async (err: unknown) => {
        if (calls.length === 1) throw err;
        await Promise.all(calls.map((c) => run([c])));
      },
    ).catch((err: unknown) => {
      for (const c of calls) c.reject(err);
    });

  const flush = () => {
    const calls = waiting!;
    waiting = null;
    void run(calls);
  };

  return (key) =>
    new Promise<V>((resolve, reject) => {
      if (!waiting) {
        waiting = [];
        // setImmediate: after the timers and I/O of this turn, so the charges
        // whose latency ends in the same turn share the write too.
        setImmediate(flush);
      }
      waiting.push({ key, resolve, reject });
    });
}
