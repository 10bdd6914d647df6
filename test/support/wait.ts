/**
 * Waiting for an outcome in tests, by polling with a deadline (never a bare
 * sleep): the failure says what was awaited and what was last seen.
 */

/** Probe until `done` holds for its value; resolves with that value. */
export async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, { timeoutMs = 15_000, everyMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Retry an assertion until it passes; past the deadline its last failure is thrown. */
export async function eventually(assertion: () => Promise<void>, { timeoutMs = 10_000, everyMs = 100 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
