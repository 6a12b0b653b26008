import { describe, expect, it } from 'vitest';
import {
  downlinkTopic,
  gatewayTopicPrefix,
  isValidGatewayId,
  parseTopic,
  uplinkTopic,
} from './topics.js';

describe('topics', () => {
  it('round-trips every uplink and downlink channel', () => {
    expect(parseTopic(uplinkTopic('home-0001', 'alarm'))).toEqual({
      gatewayId: 'home-0001',
      direction: 'up',
      channel: 'alarm',
    });
    expect(parseTopic(downlinkTopic('gw_7', 'ack'))).toEqual({
      gatewayId: 'gw_7',
      direction: 'down',
      channel: 'ack',
    });
    expect(uplinkTopic('a', 'telemetry').startsWith(gatewayTopicPrefix('a'))).toBe(true);
  });

  it.each([
    'anxin/v1/gw/home-1/up/unknown',
    'anxin/v1/gw/home-1/down/alarm',
    'anxin/v1/gw/+/up/alarm',
    'anxin/v1/gw/#',
    'anxin/v1/gw/home-1/up/alarm/extra',
    'other/v1/gw/home-1/up/alarm',
    'anxin/v1/gw//up/alarm',
    '',
  ])('rejects %j', (topic) => {
    expect(parseTopic(topic)).toBeNull();
  });

  it('accepts only topic-safe gateway ids', () => {
    expect(isValidGatewayId('home-0001')).toBe(true);
    expect(isValidGatewayId('a/b')).toBe(false);
    expect(isValidGatewayId('+')).toBe(false);
    expect(isValidGatewayId('x'.repeat(65))).toBe(false);
    expect(isValidGatewayId('-lead')).toBe(false);
  });
});
