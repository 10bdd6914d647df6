import { TestSystem } from '../../../test/support/system';
import { runBuyers } from '../../flash-sale/buyers';
import { barrierVerdict } from '../../flash-sale/report';

/**
 * The load driver against the real system: 300 buyers, each on its own
 * connection, held behind the barrier, then released at once for 10 units.
 */
describe('runBuyers against the real system', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start({ cartWorkers: 1, checkoutWorkers: 1 });
  });

  afterAll(async () => {
    await system?.stop();
  });

  async function gatewayOpenConnections(): Promise<number> {
    const res = await fetch(`${system.gatewayUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
    const match = /^gateway_open_connections(?:\{[^}]*\})? (\d+)/m.exec(await res.text());
    if (!match) throw new Error('no gateway_open_connections gauge in GET /metrics');
    return Number(match[1]);
  }

  test('when 300 buyers are released at once for 10 units, then 10 are confirmed, all 300 are answered, and the gateway held >= 95% of them open', async () => {
    await system.seed({ productId: 'X', stock: 10 });
    const buyers = 300;
    const result = await runBuyers({
      gatewayUrl: system.gatewayUrl,
      buyers,
      cartOf: () => [{ productID: 'X', quantity: 1 }],
      clientPrefix: `it-${system.runId}`,
      openConnections: gatewayOpenConnections,
      deadlineMs: 45_000,
    });

    expect(result.connectedBuyers).toBe(buyers);
    expect(result.peakOpenConnectionsSource).toBe('gateway');
    expect(barrierVerdict(result).ok).toBe(true);
    expect(result.peakOpenConnections).toBeGreaterThanOrEqual(buyers * 0.95);

    expect(result.outcomes.confirmed).toBe(10);
    expect(result.answered).toBe(buyers);
    expect(result.outcomes.sold_out).toBe(buyers - 10);
    expect(result.http5xx).toBe(0);
    expect(result.droppedConnections).toBe(0);
    expect(result.confirmedOrders).toHaveLength(10);
    expect(result.soldOutAtMs).not.toBeNull();
    expect(result.allAnsweredAtMs).toBeGreaterThanOrEqual(result.soldOutAtMs!);
    expect(result.latency.addToCart!.count).toBeGreaterThanOrEqual(buyers);
    expect(result.latency.buyer!.count).toBe(buyers);
    expect(result.timeline.at(-1)).toMatchObject({ answered: buyers, confirmed: 10, pending: 0, inFlight: 0 });

    await system.settle();
    const audit = await system.audit(true);
    expect(audit.violations).toEqual([]);
    expect(audit.products.find((p) => p.productId === 'X')).toMatchObject({ sold: 10, reserved: 0, available: 0 });
    expect(audit.orders.confirmed).toBe(10);
    const confirmedIds = new Set(result.confirmedOrders.map((o) => o.orderID));
    const orders = await system.get(`/orders/${result.confirmedOrders[0]!.orderID}`);
    expect(orders.body.status).toBe('confirmed');
    expect(confirmedIds.size).toBe(10);
  });
});
