import { z } from 'zod';
import { ConfigError, dbEnv, int, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  const schema = z.object({ ...dbEnv, PORT: int(5003, 0, 65535) });

  test('when nothing is set, then the working local defaults apply', () => {
    expect(loadConfig(schema, {})).toMatchObject({ DB_HOST: '127.0.0.1', DB_PORT: 3306, DB_NAME: 'flashsale', PORT: 5003 });
  });
  test('when a value is bad, then the error names the variable', () => {
    expect(() => loadConfig(schema, { PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig(schema, { PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig(schema, { DB_NAME: 'drop table;' })).toThrow(/DB_NAME/);
  });
  test('then the result is frozen', () => {
    expect(Object.isFrozen(loadConfig(schema, {}))).toBe(true);
  });
});
