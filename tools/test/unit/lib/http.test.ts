import { gaugeValue } from '../../../lib/http';

describe('reading a gauge from Prometheus text', () => {
  const text = [
    '# HELP worker_inflight_messages Messages taken and not yet acked',
    '# TYPE worker_inflight_messages gauge',
    'worker_inflight_messages{service="cart-manager"} 3',
    'gateway_open_connections 12',
    'worker_inflight_messages_total 99',
  ].join('\n');

  test('when the gauge is there, labelled or not, then its value is read', () => {
    expect(gaugeValue(text, 'worker_inflight_messages')).toBe(3);
    expect(gaugeValue(text, 'gateway_open_connections')).toBe(12);
  });

  test('when it is absent, then null (a longer name or a comment does not count)', () => {
    expect(gaugeValue(text, 'nothing_here')).toBeNull();
    expect(gaugeValue('# worker_inflight_messages 4', 'worker_inflight_messages')).toBeNull();
    expect(gaugeValue('', 'x')).toBeNull();
  });
});
