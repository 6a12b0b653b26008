import { describe, expect, it } from 'vitest';
import { authorizeUplink, BROKER_VOUCHED } from './seam.js';

describe('authorizeUplink (the broker seam both brokers decide with)', () => {
  const own = 'anxin/v1/gw/gw-1/up/alarm';

  it("hands on a gateway's own uplink, parsed", () => {
    expect(authorizeUplink(own, 'gw-1')).toEqual({
      gatewayId: 'gw-1',
      direction: 'up',
      channel: 'alarm',
    });
  });

  it("refuses another gateway's uplink topic", () => {
    expect(authorizeUplink(own, 'gw-2')).toBeNull();
  });

  it('refuses downlinks, unknown channels and foreign topics', () => {
    expect(authorizeUplink('anxin/v1/gw/gw-1/down/ack', 'gw-1')).toBeNull();
    expect(authorizeUplink('anxin/v1/gw/gw-1/up/nonsense', 'gw-1')).toBeNull();
    expect(authorizeUplink('anxin/v1/gw/gw-1/up/alarm/extra', 'gw-1')).toBeNull();
    expect(authorizeUplink('other/topic', 'gw-1')).toBeNull();
    expect(authorizeUplink('', 'gw-1')).toBeNull();
  });

  it('trusts the topic when the broker vouches for the publisher (external broker, last will)', () => {
    expect(authorizeUplink('anxin/v1/gw/gw-9/up/status', BROKER_VOUCHED)?.gatewayId).toBe('gw-9');
    expect(authorizeUplink('anxin/v1/gw/gw-9/down/config', BROKER_VOUCHED)).toBeNull();
  });
});
