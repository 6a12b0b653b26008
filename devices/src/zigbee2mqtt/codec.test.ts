import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyTopic,
  mapState,
  parseAvailability,
  parseBridgeDevices,
  parseBridgeEvent,
} from './codec.js';
import { createZigbee2MqttSession, zigbee2mqttDriver, zigbee2mqttOptions } from './descriptor.js';

const enc = (v: unknown): Uint8Array => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('classifyTopic', () => {
  it.each([
    ['zigbee2mqtt/bridge/devices', { kind: 'bridge_devices' }],
    ['zigbee2mqtt/bridge/event', { kind: 'bridge_event' }],
    ['zigbee2mqtt/bridge/state', { kind: 'bridge_state' }],
    ['zigbee2mqtt/bridge/info', { kind: 'bridge_other' }],
    ['zigbee2mqtt/bridge/response/device/rename', { kind: 'bridge_other' }],
    ['zigbee2mqtt/Kitchen leak', { kind: 'state', friendlyName: 'Kitchen leak' }],
    ['zigbee2mqtt/floor1/bathroom/leak', { kind: 'state', friendlyName: 'floor1/bathroom/leak' }],
    ['zigbee2mqtt/floor1/sos/availability', { kind: 'availability', friendlyName: 'floor1/sos' }],
    ['zigbee2mqtt/lamp/set', { kind: 'command', friendlyName: 'lamp' }],
    ['zigbee2mqtt/lamp/get/state', { kind: 'command', friendlyName: 'lamp' }],
    ['other/lamp', { kind: 'foreign' }],
    ['zigbee2mqtt/', { kind: 'foreign' }],
  ])('%s', (topic, kind) => {
    expect(classifyTopic('zigbee2mqtt', topic)).toEqual(kind);
  });
});

describe('availability in both forms (zigbee2mqtt.io: Configuration → Device availability)', () => {
  it.each([
    ['online', 'online'],
    ['offline', 'offline'],
    ['{"state":"online"}', 'online'],
    ['{"state":"offline"}', 'offline'],
  ])('%s', (text, value) => {
    expect(parseAvailability(text)).toEqual({ ok: true, value });
  });
  it.each(['ONLINE', '{"state":"maybe"}', '{', '42'])('rejects %s', (text) => {
    expect(parseAvailability(text).ok).toBe(false);
  });
});

describe('bridge/devices and bridge/event', () => {
  it('reads devices, skipping the coordinator', () => {
    const parsed = parseBridgeDevices(
      JSON.stringify([
        {
          ieee_address: '0x00124b0000000001',
          friendly_name: 'Coordinator',
          type: 'Coordinator',
          definition: null,
        },
        {
          ieee_address: '0x00158d0001a2b3c4',
          friendly_name: 'Bathroom leak',
          type: 'EndDevice',
          interview_completed: true,
          supported: true,
          definition: {
            model: 'SJCGQ11LM',
            vendor: 'Aqara',
            description: 'Water leak sensor',
            exposes: [],
          },
        },
        'garbage',
        { friendly_name: 'no ieee' },
      ]),
    );
    expect(parsed).toEqual({
      ok: true,
      value: [
        {
          ieeeAddress: '0x00158d0001a2b3c4',
          friendlyName: 'Bathroom leak',
          type: 'EndDevice',
          model: 'SJCGQ11LM',
          vendor: 'Aqara',
          description: 'Water leak sensor',
          interviewCompleted: true,
          supported: true,
        },
      ],
    });
    expect(parseBridgeDevices('{}')).toMatchObject({ ok: false, code: 'BAD_PAYLOAD' });
  });

  it('reads joined, interview, leave events', () => {
    const data = { friendly_name: 'sos', ieee_address: '0xa4c1380000000105' };
    expect(parseBridgeEvent(JSON.stringify({ type: 'device_joined', data }))).toEqual({
      ok: true,
      value: { type: 'joined', friendlyName: 'sos', ieeeAddress: data.ieee_address },
    });
    expect(
      parseBridgeEvent(
        JSON.stringify({
          type: 'device_interview',
          data: { ...data, status: 'successful', definition: { model: 'TS0215A_sos' } },
        }),
      ),
    ).toMatchObject({
      ok: true,
      value: { type: 'interview', status: 'successful', model: 'TS0215A_sos' },
    });
    expect(parseBridgeEvent(JSON.stringify({ type: 'device_leave', data }))).toMatchObject({
      ok: true,
      value: { type: 'left' },
    });
    expect(parseBridgeEvent(JSON.stringify({ type: 'device_renamed', data }))).toMatchObject({
      ok: false,
      code: 'UNKNOWN_EVENT',
    });
    expect(parseBridgeEvent(JSON.stringify({ type: 'device_interview', data }))).toMatchObject({
      ok: false,
      code: 'BAD_PAYLOAD',
    });
  });
});

// State payloads as the device pages on zigbee2mqtt.io document each expose.
describe('mapState: documented exposes', () => {
  const ctx = (model: string | null, memory: Record<string, boolean | string> = {}) => ({
    deviceId: 'd1',
    model,
    memory,
  });

  it('TS0215A_sos: action "emergency" raises SOS; the empty follow-up does nothing', () => {
    expect(
      mapState({ action: 'emergency', battery: 80, linkquality: 96 }, ctx('TS0215A_sos')).readings,
    ).toEqual([
      {
        type: 'alarm',
        kind: 'sos',
        action: 'raise',
        deviceId: 'd1',
        detail: { action: 'emergency' },
      },
      { type: 'telemetry', fields: { battery_pct: 80, link_quality: 96 }, deviceId: 'd1' },
    ]);
    expect(mapState({ action: '' }, ctx('TS0215A_sos')).readings).toEqual([]);
  });

  it('HS1EB/HS1EB-E: single/double/hold are SOS, off is not (heiman.ts e.action list)', () => {
    for (const a of ['single', 'double', 'hold'])
      expect(mapState({ action: a }, ctx('HS1EB/HS1EB-E')).readings).toHaveLength(1);
    expect(mapState({ action: 'off' }, ctx('HS1EB/HS1EB-E')).readings).toEqual([]);
  });

  it('a light switch "single" is not SOS, for a known or unknown model', () => {
    expect(mapState({ action: 'single' }, ctx('E1743')).readings).toEqual([]);
    expect(mapState({ action: 'single' }, ctx(null)).readings).toEqual([]);
    expect(mapState({ action: 'emergency' }, ctx(null)).readings).toHaveLength(1);
  });

  it('configured extra SOS actions per model', () => {
    const r = mapState({ action: 'on' }, { ...ctx('E1743'), extraSosActions: { E1743: ['on'] } });
    expect(r.readings[0]).toMatchObject({ type: 'alarm', kind: 'sos' });
  });

  it('water_leak, smoke, gas, tamper, battery_low are edge-triggered alarms', () => {
    let memory = {};
    const step = (state: Record<string, unknown>) => {
      const r = mapState(state, ctx('SJCGQ11LM', memory));
      memory = r.memory;
      return r.readings.filter((x) => x.type === 'alarm');
    };
    expect(step({ water_leak: false, battery_low: false, battery: 100 })).toEqual([]);
    expect(step({ water_leak: true, battery_low: false })).toEqual([
      { type: 'alarm', kind: 'water_leak', action: 'raise', deviceId: 'd1' },
    ]);
    expect(step({ water_leak: true, battery_low: false, battery: 99 })).toEqual([]);
    expect(step({ water_leak: false, battery_low: true })).toEqual([
      { type: 'alarm', kind: 'water_leak', action: 'clear', deviceId: 'd1' },
      { type: 'alarm', kind: 'low_battery', action: 'raise', deviceId: 'd1' },
    ]);
    expect(
      step({ smoke: true, gas: true, tamper: true }).map((a) => a.type === 'alarm' && a.kind),
    ).toEqual(['smoke', 'gas', 'tamper']);
  });

  it('contact: true means closed (SNZB-04P: "If value equals false contact is ON")', () => {
    expect(mapState({ contact: true }, ctx('SNZB-04P')).readings).toEqual([
      { type: 'telemetry', fields: { contact_closed: true }, deviceId: 'd1' },
    ]);
    expect(mapState({ contact: false }, ctx('SNZB-04P')).readings[0]).toMatchObject({
      fields: { contact_closed: false },
    });
  });

  it('occupancy, presence, temperature, humidity', () => {
    expect(
      mapState(
        { occupancy: true, presence: false, temperature: 21.5, humidity: 40 },
        ctx('RTCGQ11LM'),
      ).readings,
    ).toEqual([
      {
        type: 'telemetry',
        fields: { occupancy: true, presence: false, temperature_c: 21.5, humidity_pct: 40 },
        deviceId: 'd1',
      },
    ]);
  });

  it('a bed mat by role, and SPM915 by model (contact false = pad pressed)', () => {
    expect(
      mapState({ occupancy: true }, { ...ctx(null), role: 'bed_mat' as const }).readings[0],
    ).toMatchObject({
      fields: { bed_occupied: true },
    });
    expect(mapState({ contact: false }, ctx('SPM915')).readings[0]).toMatchObject({
      fields: { bed_occupied: true },
    });
  });

  it('OWON FDS315 status: falling raises a fall, anything else clears it', () => {
    let memory = {};
    const step = (state: Record<string, unknown>) => {
      const r = mapState(state, ctx('FDS315', memory));
      memory = r.memory;
      return r.readings;
    };
    expect(step({ status: 'on_the_bed', breathing_rate: 14 })).toEqual([
      {
        type: 'telemetry',
        fields: { respiration_rate_bpm: 14, presence: true, bed_occupied: true },
        deviceId: 'd1',
      },
    ]);
    expect(step({ status: 'falling' })[0]).toEqual({
      type: 'alarm',
      kind: 'fall',
      action: 'raise',
      deviceId: 'd1',
    });
    expect(step({ status: 'occupied' })[0]).toEqual({
      type: 'alarm',
      kind: 'fall',
      action: 'clear',
      deviceId: 'd1',
    });
  });

  it('values of the wrong type are reported as invalid and ignored', () => {
    const r = mapState(
      { water_leak: 'yes', battery: 150, linkquality: 'x', contact: 1, action: 5 },
      ctx(null),
    );
    expect(r.readings).toEqual([]);
    expect(r.invalid.sort()).toEqual(['action', 'battery', 'contact', 'linkquality', 'water_leak']);
  });
});

describe('Zigbee2MQTT session', () => {
  it('maps friendly names and IEEE addresses to device ids, ignores unmapped devices', () => {
    const s = createZigbee2MqttSession({
      devices: { 'Bedroom SOS': 'sos-1', '0x00158d0001a2b3c4': { deviceId: 'leak-1' } },
    });
    expect(s.subscriptions()).toEqual(['zigbee2mqtt/#']);
    s.onMessage(
      'zigbee2mqtt/bridge/devices',
      enc([
        {
          ieee_address: '0xa4c1380000000105',
          friendly_name: 'Bedroom SOS',
          type: 'EndDevice',
          definition: { model: 'TS0215A_sos' },
        },
        {
          ieee_address: '0x00158d0001a2b3c4',
          friendly_name: 'Bath leak',
          type: 'EndDevice',
          definition: { model: 'SJCGQ11LM' },
        },
      ]),
    );
    expect(s.onMessage('zigbee2mqtt/Bedroom SOS', enc({ action: 'emergency' }))).toEqual([
      {
        type: 'alarm',
        kind: 'sos',
        action: 'raise',
        deviceId: 'sos-1',
        detail: { action: 'emergency' },
      },
    ]);
    expect(s.onMessage('zigbee2mqtt/Bath leak', enc({ water_leak: true }))).toEqual([
      { type: 'alarm', kind: 'water_leak', action: 'raise', deviceId: 'leak-1' },
    ]);
    expect(s.onMessage('zigbee2mqtt/Stranger', enc({ water_leak: true }))).toEqual([]);
    expect(s.stats().rejectReasons.UNMAPPED_DEVICE).toBe(1);
  });

  it('without a device map, the friendly name is the device id', () => {
    const s = createZigbee2MqttSession({ baseTopic: 'z2m' });
    expect(s.onMessage('z2m/hall door', enc({ contact: false }))).toEqual([
      { type: 'telemetry', fields: { contact_closed: false }, deviceId: 'hall door' },
    ]);
    expect(s.onMessage('zigbee2mqtt/hall door', enc({ contact: false }))).toEqual([]);
  });

  it('tracks availability (both forms), renames and bridge events', () => {
    let t = 1000;
    const s = createZigbee2MqttSession({}, () => t);
    s.onMessage(
      'zigbee2mqtt/bridge/devices',
      enc([
        { ieee_address: '0x01', friendly_name: 'a', type: 'EndDevice', definition: { model: 'M' } },
      ]),
    );
    expect(s.bridgeState()).toBe('unknown');
    s.onMessage('zigbee2mqtt/bridge/state', enc('online'));
    expect(s.bridgeState()).toBe('online');
    s.onMessage('zigbee2mqtt/bridge/state', enc({ state: 'offline' }));
    expect(s.bridgeState()).toBe('offline');
    s.onMessage('zigbee2mqtt/a/availability', enc('offline'));
    s.onMessage('zigbee2mqtt/a', enc({ linkquality: 50 }));
    expect(s.devices()).toEqual([
      {
        friendlyName: 'a',
        ieeeAddress: '0x01',
        deviceId: 'a',
        model: 'M',
        availability: 'offline',
        lastSeen: 1000,
      },
    ]);
    t = 2000;
    s.onMessage('zigbee2mqtt/a/availability', enc({ state: 'online' }));
    s.onMessage(
      'zigbee2mqtt/bridge/devices',
      enc([
        { ieee_address: '0x01', friendly_name: 'b', type: 'EndDevice', definition: { model: 'M' } },
      ]),
    );
    expect(s.devices().map((d) => [d.friendlyName, d.availability])).toEqual([['b', 'online']]);
    s.onMessage(
      'zigbee2mqtt/bridge/event',
      enc({ type: 'device_joined', data: { friendly_name: 'c', ieee_address: '0x02' } }),
    );
    s.onMessage(
      'zigbee2mqtt/bridge/event',
      enc({ type: 'device_leave', data: { friendly_name: 'b', ieee_address: '0x01' } }),
    );
    expect(s.takeEvents().map((e) => e.type)).toEqual(['joined', 'left']);
    expect(s.takeEvents()).toEqual([]);
    expect(s.devices().map((d) => d.friendlyName)).toEqual(['c']);
  });

  it('counts malformed JSON, wrong shapes, oversize payloads; never throws', () => {
    const s = createZigbee2MqttSession();
    expect(s.onMessage('zigbee2mqtt/x', enc('{not json'))).toEqual([]);
    expect(s.onMessage('zigbee2mqtt/x', enc('[1,2]'))).toEqual([]);
    expect(s.onMessage('zigbee2mqtt/x', Buffer.alloc(70_000, 0x20))).toEqual([]);
    expect(s.onMessage('zigbee2mqtt/x/availability', enc('maybe'))).toEqual([]);
    expect(s.onMessage('zigbee2mqtt/bridge/devices', enc('{"a":1}'))).toEqual([]);
    expect(s.onMessage('zigbee2mqtt/x', new Uint8Array(0))).toEqual([]);
    expect(s.onMessage('zigbee2mqtt/x/set', enc('{"state":"ON"}'))).toEqual([]);
    expect(s.stats().rejectReasons).toEqual({ BAD_JSON: 2, BAD_PAYLOAD: 2, OVERSIZE: 1 });
  });

  it('never throws on random topics and payloads', () => {
    const s = createZigbee2MqttSession();
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.jsonValue(),
        (sub, bytes, json) => {
          s.onMessage(`zigbee2mqtt/${sub}`, bytes);
          s.onMessage(`zigbee2mqtt/${sub}`, enc(JSON.stringify(json)));
          s.onMessage('zigbee2mqtt/bridge/devices', enc(JSON.stringify([json])));
          s.onMessage(
            'zigbee2mqtt/bridge/event',
            enc(JSON.stringify({ type: 'device_joined', data: json })),
          );
        },
      ),
      { numRuns: 300 },
    );
    expect(s.stats().framesOk + s.stats().decodeErrors).toBeGreaterThan(0);
  });

  it('reads its options from the gateway config and ignores junk in them', () => {
    expect(
      zigbee2mqttOptions({
        baseTopic: 'zb/',
        devices: { a: 'x', b: { deviceId: 'y', role: 'bed_mat' }, c: 5 },
        sosActions: { M: ['on', 3] },
      }),
    ).toEqual({
      baseTopic: 'zb',
      devices: { a: 'x', b: { deviceId: 'y', role: 'bed_mat' } },
      sosActions: { M: ['on'] },
    });
    expect(zigbee2mqttDriver.createSession({ deviceId: 'z', options: {} }).mode).toBe('mqtt');
  });
});
