/**
 * The gateway's settings that have a choice of values: REPLY_QUEUE.
 */
import { ConfigError } from '../../../common/src/config';
import { DEFAULT_REPLY_QUEUE, loadGatewayConfig } from '../../src/config';

describe('REPLY_QUEUE', () => {
  it('when unset, then it is the default, direct reply-to for now', () => {
    expect(DEFAULT_REPLY_QUEUE).toBe('direct');
    expect(loadGatewayConfig({}).REPLY_QUEUE).toBe('direct');
  });

  it('when set to exclusive or direct, then that is the mode', () => {
    expect(loadGatewayConfig({ REPLY_QUEUE: 'exclusive' }).REPLY_QUEUE).toBe('exclusive');
    expect(loadGatewayConfig({ REPLY_QUEUE: 'direct' }).REPLY_QUEUE).toBe('direct');
  });

  it('when set to anything else, then the start is refused with a message naming the variable', () => {
    expect(() => loadGatewayConfig({ REPLY_QUEUE: 'shared' })).toThrow(ConfigError);
    expect(() => loadGatewayConfig({ REPLY_QUEUE: 'shared' })).toThrow(/REPLY_QUEUE/);
  });
});
