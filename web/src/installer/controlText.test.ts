import { describe, expect, it } from 'vitest';
import type { GatewayControlDto } from '@anxin/protocol';
import { en } from '../i18n/en';
import { zhCN } from '../i18n/zh-CN';
import { controlText } from './controlText';

const base: GatewayControlDto = {
  gatewayId: 'gw-1',
  publishedVersion: 3,
  appliedVersion: 3,
  refused: null,
  state: 'applied',
  reportedAt: null,
  gatewayTestMode: null,
};

describe('controlText', () => {
  it('says which version the gateway runs', () => {
    expect(controlText(base)).toEqual({ key: 'installer.control.applied', params: { version: 3 } });
  });
  it('names the version still to be applied', () => {
    expect(
      controlText({ ...base, publishedVersion: 4, appliedVersion: 3, state: 'waiting' }),
    ).toEqual({ key: 'installer.control.waiting', params: { version: 4 } });
  });
  it('names the refused version and the reason', () => {
    const t = controlText({
      ...base,
      publishedVersion: 4,
      refused: { version: 4, code: 'UNKNOWN_DRIVER', reason: 'no driver "x"' },
      state: 'refused',
    });
    expect(t).toEqual({
      key: 'installer.control.refused',
      params: { version: 4, reason: 'no driver "x"' },
    });
  });
  it('says when the gateway has not reported', () => {
    expect(controlText({ ...base, appliedVersion: null, state: 'unknown' }).key).toBe(
      'installer.control.unknown',
    );
  });
  it('has every key in both languages, with the same placeholders', () => {
    for (const key of [
      'installer.control.applied',
      'installer.control.waiting',
      'installer.control.refused',
    ] as const) {
      expect(en[key]).toContain('{version}');
      expect(zhCN[key]).toContain('{version}');
    }
    expect(zhCN['installer.control.refused']).toContain('{reason}');
  });
});
