import { LatencyHistograms, PERCENTILES, round3 } from '../../../flash-sale/load/histograms';

describe('latency histograms', () => {
  test('when values are recorded, then the summary is in ms with 3 decimals, percentiles never above the max', () => {
    const h = new LatencyHistograms();
    for (let ms = 1; ms <= 100; ms++) h.record('addToCart', 0, ms);
    const { latency, latencyPercentiles } = h.summaries();
    expect(latency.addToCart).toMatchObject({ count: 100, max: 100 });
    expect(latency.addToCart!.mean).toBeCloseTo(50.5, 1); // HDR buckets: 3 significant digits
    expect(latency.addToCart!.p50).toBeCloseTo(50, 1);
    expect(latency.addToCart!.p99).toBeCloseTo(99, 1);
    const curve = latencyPercentiles.addToCart!;
    expect(curve.map(([p]) => p)).toEqual(PERCENTILES);
    expect(curve.at(-1)).toEqual([100, 100]);
    for (const [, ms] of curve) expect(ms).toBeLessThanOrEqual(100);
  });

  test('when nothing was recorded under a name, then it is not in the summaries; a sub-microsecond time counts as 1 µs', () => {
    const h = new LatencyHistograms();
    expect(h.summaries()).toEqual({ latency: {}, latencyPercentiles: {} });
    h.record('healthz', 5, 5);
    expect(h.summaries().latency.healthz).toMatchObject({ count: 1, max: 0.001 });
  });

  test('round3 keeps three decimals', () => {
    expect(round3(1.23456)).toBe(1.235);
    expect(round3(2)).toBe(2);
  });
});
