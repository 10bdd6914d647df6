import { RunMetrics, soldOutAt } from '../../../flash-sale/load/metrics';

describe('run metrics', () => {
  test('when buyers finish, then outcomes, codes, answers and confirmed orders are counted; errors and the unanswered are not answers', () => {
    const m = new RunMetrics();
    m.finish('b-1', { outcome: 'confirmed', code: '', orderID: 'o1', units: 2, total: 1998 }, 1_000, 1_250);
    m.finish('b-2', { outcome: 'sold_out', code: 'SOLD_OUT' }, 1_000, 1_400);
    m.finish('b-3', { outcome: 'error', code: 'NETWORK:ECONNRESET' }, 1_000, 1_500);
    m.finish('b-4', { outcome: 'unanswered', code: 'DEADLINE' }, 1_000, 1_600);
    m.finish('b-5', { outcome: 'floor_ok', code: '' }, 1_000, 1_300);
    expect(m.outcomes).toEqual({ confirmed: 1, sold_out: 1, declined: 0, expired: 0, refused: 0, error: 1, unanswered: 1 });
    expect(m.codes).toEqual({ '': 2, SOLD_OUT: 1, 'NETWORK:ECONNRESET': 1, DEADLINE: 1 });
    expect(m.answered).toBe(3);
    expect(m.lastAnswerMs).toBe(300);
    expect(m.confirmedOrders).toEqual([{ clientID: 'b-1', orderID: 'o1', units: 2, total: 1998 }]);
    expect(m.confirmationTimes).toEqual([250]);
    expect(m.latency.summaries().latency.buyer).toMatchObject({ count: 3, max: 400 });
  });

  test('when retries and transport failures happen, then each is counted by endpoint or code', () => {
    const m = new RunMetrics();
    m.retried('addToCart');
    m.retried('addToCart');
    m.retriedAllReserved('checkOutCart');
    m.transportFailed('ECONNRESET');
    m.transportFailed('ECONNRESET');
    expect(m.retries).toEqual({ addToCart: 2 });
    expect(m.allReservedRetries).toEqual({ checkOutCart: 1 });
    expect(m.dropped).toBe(2);
    expect(m.transportErrors).toEqual({ ECONNRESET: 2 });
  });

  test('when sampled, then the timeline and the progress read the counters; at most five unexpected errors are noted', () => {
    const m = new RunMetrics();
    m.pending = 3;
    m.inFlight = 7;
    m.connected = 9;
    m.finish('b-1', { outcome: 'declined', code: 'PAYMENT_DECLINED' }, 0, 10);
    m.sampleTimeline(100.4);
    expect(m.timeline).toEqual([{ tMs: 100, answered: 1, confirmed: 0, soldOut: 0, declined: 1, expired: 0, pending: 3, inFlight: 7 }]);
    expect(m.progress('sale', 10, 99.6)).toEqual({ phase: 'sale', total: 10, connected: 9, answered: 1, confirmed: 0, soldOut: 0, declined: 1, expired: 0, refused: 0, errors: 0, pending: 3, inFlight: 7, elapsedMs: 100 });
    for (let k = 0; k < 8; k++) m.noteUnexpected(new Error(`boom ${k}`));
    expect(m.notes).toHaveLength(5);
    m.sampleMemory(10);
    m.sampleMemory(5);
    expect(m.peakRss).toBeGreaterThanOrEqual(10);
  });

  test('sold out is when the last unit was confirmed', () => {
    expect(soldOutAt([])).toBeNull();
    expect(soldOutAt([120, 900, 450])).toBe(900);
  });
});
