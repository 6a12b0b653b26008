import { describe, expect, it } from 'vitest';
import {
  AGE_COLOURS,
  NOTICE_COLOURS,
  PRIORITY_COLOURS,
  PRIORITY_STRIPE,
  STATUS_COLOURS,
  TEST_COLOURS,
  ON_THE_WAY_COLOURS,
  contrastRatio,
  type ColourPair,
} from './palette';
import {
  BATTERY_COLOURS,
  ONLINE_COLOURS,
  STEP_COLOURS,
  TARGET_COLOURS,
  TEST_MODE_COLOURS,
  WARNING_COLOURS,
  ON_THE_WAY_LIGHT,
} from '../care/palette';

const named = (prefix: string, record: Readonly<Record<string, ColourPair>>) =>
  Object.entries(record).map(([k, v]) => [`${prefix} ${k}`, v] as [string, ColourPair]);

describe('colours with meaning meet WCAG AA', () => {
  it('computes contrast like WCAG 2.x (black on white is 21:1)', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(() => contrastRatio('red', '#ffffff')).toThrow();
  });

  const pairs: [string, ColourPair][] = [
    ...Object.entries(PRIORITY_COLOURS).map(
      ([k, v]) => [`priority ${k}`, v] as [string, ColourPair],
    ),
    ...Object.entries(STATUS_COLOURS).map(([k, v]) => [`status ${k}`, v] as [string, ColourPair]),
    ...Object.entries(NOTICE_COLOURS).map(([k, v]) => [`notice ${k}`, v] as [string, ColourPair]),
    ...Object.entries(AGE_COLOURS).flatMap(([k, v]) =>
      v ? [[`age ${k}`, v] as [string, ColourPair]] : [],
    ),
    ['test badge', TEST_COLOURS],
    ['on the way badge', ON_THE_WAY_COLOURS],
    ...named('battery', BATTERY_COLOURS),
    ...named('online', ONLINE_COLOURS),
    ...named('test step', STEP_COLOURS),
    ...named('answer-time target', TARGET_COLOURS),
    ['test mode banner', TEST_MODE_COLOURS],
    ['warning banner', WARNING_COLOURS],
    ['on the way box', ON_THE_WAY_LIGHT],
    // Fixed colours in console.css: connection pills and the sound prompt.
    ['connection connected', { fg: '#ffffff', bg: '#237a36' }],
    ['connection connecting', { fg: '#ffffff', bg: '#1864ab' }],
    ['connection disconnected', { fg: '#ffffff', bg: '#c92a2a' }],
    ['sound prompt', { fg: '#1a1b1e', bg: '#fcc419' }],
    ['dimmed text on white (light theme override)', { fg: '#5c636a', bg: '#ffffff' }],
    ['raised-by highlight', { fg: '#1a1b1e', bg: '#fff5f5' }],
  ];

  it.each(pairs)('%s text has contrast >= 4.5:1', (_name, pair) => {
    expect(contrastRatio(pair.fg, pair.bg)).toBeGreaterThanOrEqual(4.5);
  });

  it.each(Object.entries(PRIORITY_STRIPE))(
    'priority %s stripe is >= 3:1 against a white row',
    (_p, colour) => {
      expect(contrastRatio(colour, '#ffffff')).toBeGreaterThanOrEqual(3);
    },
  );
});
