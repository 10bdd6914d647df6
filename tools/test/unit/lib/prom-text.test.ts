import { meanBatchSizes, samplesOf, sumByLabel } from '../../../lib/prom-text';

const PAGE_A = `# HELP consumer_batches_total Batches taken
# TYPE consumer_batches_total counter
consumer_batches_total{queue="p.cart.add",service="cart-manager"} 10
consumer_batches_total{queue="p.cart.checkout",service="cart-manager"} 4
consumer_batch_messages_total{queue="p.cart.add",service="cart-manager"} 35
consumer_batch_messages_total{queue="p.cart.checkout",service="cart-manager"} 4
consumer_batches_total_other 99
worker_inflight_messages{service="cart-manager"} 0
`;
const PAGE_B = `consumer_batches_total{service="cart-manager",queue="p.cart.add"} 5
consumer_batch_messages_total{service="cart-manager",queue="p.cart.add"} 25
`;

describe('Prometheus text', () => {
  test('when a page holds a metric, then every sample is read with its labels, and other metrics with the same prefix are not', () => {
    expect(samplesOf(PAGE_A, 'consumer_batches_total')).toEqual([
      { labels: { queue: 'p.cart.add', service: 'cart-manager' }, value: 10 },
      { labels: { queue: 'p.cart.checkout', service: 'cart-manager' }, value: 4 },
    ]);
    expect(samplesOf('gateway_open_connections 12\n', 'gateway_open_connections')).toEqual([{ labels: {}, value: 12 }]);
    expect(samplesOf('m{a="x\\"y"} 1.5e3\n', 'm')).toEqual([{ labels: { a: 'x"y' }, value: 1500 }]);
  });

  test('when several processes export a counter, then it is summed by label over their pages', () => {
    expect(sumByLabel([PAGE_A, PAGE_B], 'consumer_batches_total', 'queue')).toEqual({ 'p.cart.add': 15, 'p.cart.checkout': 4 });
  });

  test('when batches and messages are counted, then the mean batch size is messages over batches; absent counters give nothing', () => {
    expect(meanBatchSizes([PAGE_A, PAGE_B], 'consumer_batches_total', 'consumer_batch_messages_total', 'queue')).toEqual({
      'p.cart.add': { batches: 15, items: 60, mean: 4 },
      'p.cart.checkout': { batches: 4, items: 4, mean: 1 },
    });
    expect(meanBatchSizes(['process_cpu_seconds_total 3\n'], 'inventory_coalesced_batches_total', 'inventory_coalesced_calls_total', 'op')).toEqual({});
  });
});
