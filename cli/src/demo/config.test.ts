import { loadConfig } from '@anxin/protocol';
import { describe, expect, it } from 'vitest';
import { DemoConfigSchema, demoHubConfig } from './config.js';

describe('demo configuration', () => {
  it('takes hub keys from the environment, as the port-taken message tells users to', () => {
    const demo = loadConfig(DemoConfigSchema, {
      env: { ANXIN__HUB__HTTP__PORT: '9080', ANXIN__HUB__MQTT__ACCEPTHANDLES: '4' },
    });
    const hub = demoHubConfig(demo, 'defaults');
    expect(hub.http.port).toBe(9080);
    expect(hub.mqtt.acceptHandles).toBe(4);
    expect(hub.dataDir).toBe('.data/demo/hub');
  });

  it('still names a hub key that does not exist', () => {
    const demo = loadConfig(DemoConfigSchema, { env: { ANXIN__HUB__HTTP__PROT: '9080' } });
    expect(() => demoHubConfig(demo, 'defaults')).toThrow(/hub\.http\.PROT: unknown key/);
  });
});
