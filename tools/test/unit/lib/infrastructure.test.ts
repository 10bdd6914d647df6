import { amqpEnv } from '../../../../common/src/config';
import { amqpUrlFromEnv, amqpUrlOnPort, DEFAULT_AMQP_URL, dbEnvOf, dbServerFromEnv } from '../../../lib/infrastructure';

describe('where the tools find MariaDB and RabbitMQ', () => {
  test('when nothing is set, then the defaults are the services\' own (common/src/config.ts)', () => {
    expect(DEFAULT_AMQP_URL).toBe(amqpEnv.AMQP_URL.parse(undefined));
    expect(amqpUrlFromEnv({})).toBe(DEFAULT_AMQP_URL);
    expect(dbServerFromEnv({})).toEqual({ DB_HOST: '127.0.0.1', DB_PORT: 3306, DB_USER: 'root', DB_PASSWORD: '' });
  });

  test('when the environment says, then it wins; a bad value is named', () => {
    expect(amqpUrlFromEnv({ AMQP_URL: 'amqp://u:p@rabbit:5673' })).toBe('amqp://u:p@rabbit:5673');
    expect(dbServerFromEnv({ DB_HOST: 'db', DB_PORT: '3307', DB_USER: 'me', DB_PASSWORD: 'pw' })).toEqual({ DB_HOST: 'db', DB_PORT: 3307, DB_USER: 'me', DB_PASSWORD: 'pw' });
    expect(() => amqpUrlFromEnv({ AMQP_URL: 'not a url' })).toThrow(/AMQP_URL/);
  });

  test('a private node is the default URL on its own port; a database config becomes a service environment', () => {
    const url = new URL(amqpUrlOnPort(5679));
    const base = new URL(DEFAULT_AMQP_URL);
    expect({ port: url.port, host: url.hostname, user: url.username, password: url.password }).toEqual({ port: '5679', host: base.hostname, user: base.username, password: base.password });
    expect(dbEnvOf({ DB_HOST: 'h', DB_PORT: 1, DB_USER: 'u', DB_PASSWORD: '', DB_NAME: 'n' })).toEqual({ DB_HOST: 'h', DB_PORT: '1', DB_USER: 'u', DB_PASSWORD: '', DB_NAME: 'n' });
  });
});
