import { Deadline, DeadlineReached } from '../../../flash-sale/load/deadline';

describe('the deadline of a run', () => {
  test('when not started, then a wait simply waits and nothing has expired', async () => {
    const deadline = new Deadline();
    await expect(deadline.wait(5)).resolves.toBeUndefined();
    expect(deadline.expired).toBe(false);
    expect(() => deadline.check()).not.toThrow();
  });

  test('when a wait would outlast the deadline, then it ends at the deadline with DeadlineReached, and onExpire runs once', async () => {
    let expiries = 0;
    const deadline = new Deadline(() => expiries++);
    deadline.start(100);
    const started = Date.now();
    await expect(deadline.wait(5_000)).rejects.toBeInstanceOf(DeadlineReached);
    expect(Date.now() - started).toBeLessThan(1_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(deadline.expired).toBe(true);
    expect(expiries).toBe(1);
    expect(() => deadline.check()).toThrow(DeadlineReached);
    await expect(deadline.wait(0)).rejects.toBeInstanceOf(DeadlineReached);
    deadline.clear();
  });

  test('when cleared before it passes, then it never expires', async () => {
    let expiries = 0;
    const deadline = new Deadline(() => expiries++);
    deadline.start(30);
    deadline.clear();
    await new Promise((r) => setTimeout(r, 60));
    expect(expiries).toBe(0);
    expect(deadline.expired).toBe(false);
  });
});
