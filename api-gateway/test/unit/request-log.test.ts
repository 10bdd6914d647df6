import { requestLogLevel } from '../../src/http/request-log';

describe('request log level', () => {
  test('when a request succeeds, then its line is debug (a burst of answered requests writes nothing at info)', () => {
    expect(requestLogLevel(200, '/addToCart')).toBe('debug');
    expect(requestLogLevel(202, '/checkOutCart')).toBe('debug');
    expect(requestLogLevel(301, '/documentation')).toBe('debug');
  });

  test('when a request is refused for what it asked, then its line is info; when it fails on our side, warn', () => {
    expect(requestLogLevel(400, '/addToCart')).toBe('info');
    expect(requestLogLevel(404, '/orders/x')).toBe('info');
    expect(requestLogLevel(503, '/addToCart')).toBe('warn');
    expect(requestLogLevel(500, '/orders/x')).toBe('warn');
  });

  test('when the answer is a sale\'s ordinary outcome (sold out, all reserved, declined), then its line is debug', () => {
    expect(requestLogLevel(409, '/checkOutCart')).toBe('debug');
    expect(requestLogLevel(409, '/addToCart')).toBe('debug');
    expect(requestLogLevel(402, '/checkOutCart')).toBe('debug');
  });

  test('when a probe or the docs are asked for, then only a failure of ours leaves debug', () => {
    expect(requestLogLevel(404, '/healthz')).toBe('debug');
    expect(requestLogLevel(503, '/readyz')).toBe('warn');
    expect(requestLogLevel(404, '/documentation/x.css')).toBe('debug');
  });
});
