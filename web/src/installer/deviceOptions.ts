/**
 * The driver options an installer's device form sends to the hub (which passes them to the
 * gateway as they are): a Zigbee device's name in Zigbee2MQTT, a serial device's bus address, and
 * for a DL/T 645 meter what the district bought — `phases: 3` makes the gateway read the three-
 * phase blocks (every phase's voltage and current, energy per tariff).
 */
export type DeviceOptions = Record<string, string | number | boolean>;

export function deviceOptions(input: {
  via: 'zigbee' | 'serial';
  driver: string;
  name: string;
  address: string;
  phases: '1' | '3';
}): DeviceOptions {
  if (input.via === 'zigbee') return { friendlyName: input.name };
  const address = input.address.trim();
  return {
    ...(address !== '' ? { address } : {}),
    ...(input.driver === 'dlt645' && input.phases === '3' ? { phases: 3 } : {}),
  };
}
