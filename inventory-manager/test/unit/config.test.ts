import { ConfigError } from '../../../common/src/config';
import { loadInventoryConfig } from '../../src/config';

describe('the inventory manager’s batching settings', () => {
  test('when nothing is set, then calls are coalesced, at most 200 per transaction', () => {
    expect(loadInventoryConfig({})).toMatchObject({ INVENTORY_COALESCE: true, INVENTORY_BATCH_MAX: 200 });
  });

  test('when INVENTORY_COALESCE=false, then one transaction per call; the bound can be set', () => {
    expect(loadInventoryConfig({ INVENTORY_COALESCE: 'false', INVENTORY_BATCH_MAX: '500' })).toMatchObject({ INVENTORY_COALESCE: false, INVENTORY_BATCH_MAX: 500 });
  });

  test.each([
    ['INVENTORY_COALESCE', 'yes'],
    ['INVENTORY_BATCH_MAX', '0'],
    ['INVENTORY_BATCH_MAX', 'many'],
  ])('when %s=%s, then the start stops naming the variable', (name, value) => {
    expect(() => loadInventoryConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadInventoryConfig({ [name]: value })).toThrow(name);
  });
});
