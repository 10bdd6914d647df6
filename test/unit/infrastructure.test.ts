import { checkDependencies, type Dependency, mariaDb, missingMessage, rabbitMq, waitForInfrastructure } from '../support/infrastructure';

function fake(name: string, probe: () => Promise<void>, hopeless = false): Dependency {
  return { name, where: `${name.toLowerCase()}:1`, probe, hopeless: () => hopeless, howToStart: `start ${name}`, credentials: `${name} credentials` };
}

describe('waiting for MariaDB and RabbitMQ before the integration tests', () => {
  test('when a dependency answers after a few tries, then it is up', async () => {
    let calls = 0;
    const probe = async () => {
      if (++calls < 3) throw new Error('not yet');
    };
    const states = await checkDependencies([fake('A', probe)], 2_000, 5);
    expect(states.map((s) => s.up)).toEqual([true]);
    expect(calls).toBe(3);
  });

  test('when one never answers, then the one message names it, why, and how to start it, and says the other is up', async () => {
    const started = Date.now();
    const missing = fake('MariaDB', async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' })));
    const error = await waitForInfrastructure({ timeoutMs: 100, dependencies: [missing, fake('RabbitMQ', async () => undefined)] }).catch((err: Error) => err);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      [
        'Integration tests need MariaDB and RabbitMQ: MariaDB did not answer within 0 s.',
        '  MariaDB at mariadb:1: MISSING (connect ECONNREFUSED 127.0.0.1:3306)',
        '    start it: start MariaDB',
        '  RabbitMQ at rabbitmq:1: up',
        '  or bring up both with: ./setup.sh infra',
      ].join('\n'),
    );
    expect((error as Error).stack).toBe((error as Error).message);
  });

  test('when waiting cannot help (a refused login), then it stops waiting at once', async () => {
    const started = Date.now();
    const [state] = await checkDependencies([fake('MariaDB', async () => Promise.reject(new Error("Access denied for user 'root'")), true)], 10_000, 5);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(state).toMatchObject({ up: false, refused: true, reason: "Access denied for user 'root'" });
    expect(missingMessage([state!], 0)).toBe(
      ['Integration tests need MariaDB: MariaDB refused the login.', "  MariaDB at mariadb:1: LOGIN REFUSED (Access denied for user 'root')", '    set MariaDB credentials'].join('\n'),
    );
  });

  test('the real dependencies say where they look (no password) and the commands that start them', () => {
    const db = mariaDb({ DB_HOST: '127.0.0.1', DB_PORT: 3306, DB_USER: 'root', DB_PASSWORD: 'secret' });
    expect(db.where).toBe('127.0.0.1:3306 (user root; DB_HOST, DB_PORT, DB_USER, DB_PASSWORD)');
    expect(db.howToStart).toBe('start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd');
    expect(db.hopeless(Object.assign(new Error('denied'), { errno: 1045 }))).toBe(true);
    expect(db.hopeless(new Error('connect ECONNREFUSED'))).toBe(false);
    const mq = rabbitMq('amqp://guest:secret@127.0.0.1:5672');
    expect(mq.where).toBe('amqp://guest:***@127.0.0.1:5672 (AMQP_URL)');
    expect(mq.howToStart).toBe('rabbitmq-server -detached');
    expect(mq.hopeless(new Error('Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused"'))).toBe(true);
  });
});
