import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';

/** The lines a logger writes, parsed. */
function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('redacts the config secrets and a request credential, at the top and where they are logged nested', () => {
    const { lines, stream } = capture();
    const log = createLogger('test', 'info', stream);
    log.info({ DB_PASSWORD: 'p1', AMQP_URL: 'amqp://u:p2@h', config: { DB_PASSWORD: 'p3', AMQP_URL: 'amqp://u:p4@h', PORT: 5003 } }, 'config');
    log.info({ headers: { authorization: 'Bearer t1' }, req: { headers: { authorization: 'Bearer t2', host: 'h' } } }, 'request');
    const text = JSON.stringify(lines);
    for (const secret of ['p1', 'p2', 'p3', 'p4', 't1', 't2']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({ DB_PASSWORD: '[redacted]', config: { DB_PASSWORD: '[redacted]', AMQP_URL: '[redacted]', PORT: 5003 } });
    expect(lines[1]).toMatchObject({ req: { headers: { authorization: '[redacted]', host: 'h' } } });
  });

  it('writes a child logger\'s bindings on every line, as given', () => {
    const { lines, stream } = capture();
    createLogger('test', 'info', stream).child({ orderId: 'o-1', queue: 'q' }).info('done');
    expect(lines[0]).toMatchObject({ service: 'test', orderId: 'o-1', queue: 'q', msg: 'done' });
  });
});
