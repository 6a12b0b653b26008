import { describe, expect, it } from 'vitest';
import {
  downlinkTopic,
  gatewayTopicPrefix,
  isValidGatewayId,
  parseTopic,
  topicMatches,
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

  it('matches topic filters as MQTT 3.1.1 §4.7 does', () => {
    const ack = downlinkTopic('gw-1', 'ack');
    expect(topicMatches(ack, ack)).toBe(true);
    expect(topicMatches('anxin/v1/gw/gw-1/down/+', ack)).toBe(true);
    expect(topicMatches('anxin/v1/gw/gw-1/down/#', ack)).toBe(true);
    expect(topicMatches('anxin/v1/gw/gw-1/#', ack)).toBe(true);
    // `#` also matches its parent level (§4.7.1.2).
    expect(topicMatches('anxin/v1/gw/gw-1/down/#', 'anxin/v1/gw/gw-1/down')).toBe(true);
    expect(topicMatches(downlinkTopic('gw-1', 'cmd'), ack)).toBe(false);
    expect(topicMatches(downlinkTopic('gw-2', 'ack'), ack)).toBe(false);
    expect(topicMatches('anxin/v1/gw/+/down', ack)).toBe(false);
    expect(topicMatches(`${ack}/more`, ack)).toBe(false);
  });
});
