import { describe, expect, it } from 'vitest';
import { deviceOptions } from './deviceOptions';

describe('device options from the installer form', () => {
  const base = { name: 'meter-1', address: ' 000000000001 ', phases: '1' as const };
  it('a Zigbee device is named by its Zigbee2MQTT friendly name', () => {
    expect(deviceOptions({ ...base, via: 'zigbee', driver: 'zigbee2mqtt' })).toEqual({
      friendlyName: 'meter-1',
    });
  });
  it('a serial device carries its trimmed address, or nothing', () => {
    expect(deviceOptions({ ...base, via: 'serial', driver: 'cjt188' })).toEqual({
      address: '000000000001',
    });
    expect(deviceOptions({ ...base, address: ' ', via: 'serial', driver: 'cjt188' })).toEqual({});
  });
  it('a three-phase DL/T 645 meter says so; other drivers ignore the choice', () => {
    expect(deviceOptions({ ...base, phases: '3', via: 'serial', driver: 'dlt645' })).toEqual({
      address: '000000000001',
      phases: 3,
    });
    expect(deviceOptions({ ...base, via: 'serial', driver: 'dlt645' })).toEqual({
      address: '000000000001',
    });
    expect(deviceOptions({ ...base, phases: '3', via: 'serial', driver: 'modbus-sdm' })).toEqual({
      address: '000000000001',
    });
  });
});
