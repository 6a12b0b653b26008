import { describe, expect, it } from 'vitest';
import {
  ContractError,
  decodeDownlink,
  decodeUplink,
  DOWNLINK_PAYLOADS,
  encodeDownlink,
  encodeUplink,
  UPLINK_PAYLOADS,
} from './contract.js';
import { commandArgsIssue, commandArgsProblem, COMMAND_NAMES } from './control.js';
import { LIMITS } from './messages.js';
import { DOWNLINK_CHANNELS, UPLINK_CHANNELS } from './topics.js';

describe('the topic → payload contract', () => {
  it('maps every uplink and downlink channel of topics.ts to a schema', () => {
    expect(Object.keys(UPLINK_PAYLOADS).sort()).toEqual([...UPLINK_CHANNELS].sort());
    expect(Object.keys(DOWNLINK_PAYLOADS).sort()).toEqual([...DOWNLINK_CHANNELS].sort());
  });

  it('round-trips a valid message and refuses a bad one with a stable code', () => {
    const status = { v: 1 as const, state: 'online' as const, at: 5, configVersion: 2 };
    const bytes = encodeUplink('status', status);
    expect(decodeUplink('status', bytes)).toEqual({ ok: true, value: status });
    expect(decodeUplink('status', '{nope')).toMatchObject({ ok: false, code: 'BAD_JSON' });
    expect(decodeUplink('status', '{"v":1,"state":"maybe","at":1}')).toMatchObject({
      ok: false,
      code: 'SCHEMA',
      message: expect.stringContaining('/state'),
    });
    const huge = Buffer.alloc(LIMITS.maxPayloadBytes + 1, 0x20);
    expect(decodeDownlink('cmd', huge)).toMatchObject({ ok: false, code: 'TOO_LARGE' });
  });

  it('refuses to encode a message the other end would refuse', () => {
    const bad = { v: 1, id: '', ok: true } as unknown as Parameters<
      typeof encodeUplink<'cmd-result'>
    >[1];
    expect(() => encodeUplink('cmd-result', bad)).toThrow(ContractError);
    try {
      encodeDownlink('ack', {
        v: 1,
        lane: 'alarm',
        acked: [0],
        rejected: [],
        deferred: [],
      });
      expect.unreachable('seq 0 is not a valid seq');
    } catch (err) {
      expect(err).toBeInstanceOf(ContractError);
      expect((err as ContractError).code).toBe('SCHEMA');
      expect((err as ContractError).message).toMatch(/down\/ack: \/acked\/0/);
    }
  });

  it('parses a command of a name it does not know, so the gateway can answer UNKNOWN_COMMAND', () => {
    expect(decodeDownlink('cmd', '{"v":1,"id":"c1","name":"reboot_into_space"}').ok).toBe(true);
    expect(decodeDownlink('cmd', '{"v":1,"id":"c1","name":"Bad Name"}').ok).toBe(false);
  });

  it('checks command arguments the same way at both ends', () => {
    expect(COMMAND_NAMES).toContain('diagnostics');
    expect(commandArgsIssue('ping', undefined)).toBeNull();
    expect(commandArgsIssue('ping', { x: 1 })).toMatch(/no argument "x"/);
    expect(commandArgsIssue('read_device', {})).toMatch(/needs "device_id"/);
    expect(commandArgsIssue('read_device', { device_id: 'meter 1' })).toMatch(/device id/);
    expect(commandArgsIssue('read_device', { device_id: 'meter-1' })).toBeNull();
    expect(commandArgsIssue('set_test_mode', { enabled: 'yes' })).toMatch(/true or false/);
    expect(commandArgsIssue('self_test_start', { device_id: 'a', duration_s: 0 })).toMatch(
      /from 1 to 3600/,
    );
    expect(commandArgsIssue('self_test_start', { device_id: 'a', duration_s: 1.5 })).toMatch(
      /whole number/,
    );
    expect(commandArgsIssue('self_test_start', { device_id: 'a', duration_s: 4000 })).toMatch(
      /from 1 to 3600/,
    );
    expect(commandArgsIssue('sync_time', { hub_time: -1 })).toMatch(/epoch/);
  });

  it('gives a number outside its range its own code, and set_test_mode a bounded window', () => {
    expect(commandArgsProblem('set_test_mode', { enabled: true })).toBeNull();
    expect(commandArgsProblem('set_test_mode', { enabled: true, duration_min: 1440 })).toBeNull();
    for (const minutes of [0, -5, 1441])
      expect(commandArgsProblem('set_test_mode', { enabled: true, duration_min: minutes })).toEqual(
        { code: 'ARG_OUT_OF_RANGE', message: '"duration_min" must be from 1 to 1440' },
      );
    expect(
      commandArgsProblem('set_test_mode', { enabled: true, duration_min: 'an hour' })?.code,
    ).toBe('INVALID_ARGS');
    expect(commandArgsProblem('set_test_mode', { duration_min: 30 })?.code).toBe('INVALID_ARGS');
  });
});
