/**
 * Provisioning many gateways at once (`anxin hub --provision-file`): one SQL transaction for all,
 * each gateway then logs in over real MQTT with its own secret; a list with one bad entry is
 * refused whole, with nothing stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, TestGateway, type RunningHub } from './testing/harness.js';

let h: RunningHub;
beforeAll(async () => {
  h = await startHub();
});
afterAll(async () => {
  await h?.close();
});

describe('provisionGateways', () => {
  it('stores every gateway of the list; each logs in with its own secret', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `gw-many-${i}`);
    await h.hub.provisionGateways(ids.map((id) => ({ gatewayId: id, secret: `secret-${id}` })));
    for (const id of [ids[0], ids[49]]) {
      const gw = await TestGateway.connect(h.mqttUrl, id ?? '', `secret-${id}`);
      await gw.close();
    }
    // A later list replaces a gateway's secret, as provisionGateway does.
    await h.hub.provisionGateways([{ gatewayId: 'gw-many-0', secret: 'another-secret-0' }]);
    await expect(TestGateway.connect(h.mqttUrl, 'gw-many-0', 'secret-gw-many-0')).rejects.toThrow();
    const again = await TestGateway.connect(h.mqttUrl, 'gw-many-0', 'another-secret-0');
    await again.close();
  });

  it('refuses a list with an invalid entry whole: nothing of it is stored', async () => {
    await expect(
      h.hub.provisionGateways([
        { gatewayId: 'gw-fine-1', secret: 'secret-fine-1' },
        { gatewayId: 'bad id/with slash', secret: 'secret-bad-1' },
      ]),
    ).rejects.toThrow(/invalid gateway id/);
    await expect(
      h.hub.provisionGateways([
        { gatewayId: 'gw-fine-2', secret: 'secret-fine-2' },
        { gatewayId: 'gw-short', secret: 'short' },
      ]),
    ).rejects.toThrow(/at least 8/);
    for (const id of ['gw-fine-1', 'gw-fine-2'])
      await expect(TestGateway.connect(h.mqttUrl, id, `secret-${id.slice(3)}`)).rejects.toThrow();
  });
});
