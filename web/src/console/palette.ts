/**
 * Colours that carry meaning in the queue, as explicit foreground/background pairs so that each
 * pair can be checked against WCAG 2.x AA (contrast ≥ 4.5:1 for text; palette.test.ts does it).
 * They work on both the light and the dark theme because each chip paints its own background.
 */
import type { AlarmPriority } from '@anxin/protocol';
import type { AgeLevel } from './age';

export interface ColourPair {
  fg: string;
  bg: string;
}

export const PRIORITY_COLOURS: Readonly<Record<AlarmPriority, ColourPair>> = {
  1: { fg: '#ffffff', bg: '#c92a2a' }, // life-safety: red
  2: { fg: '#1a1b1e', bg: '#ffc078' }, // wellbeing: amber
  3: { fg: '#1a1b1e', bg: '#ced4da' }, // technical: grey
};

/** Accent stripe at the start of each row (graphics: ≥ 3:1 against the row). */
export const PRIORITY_STRIPE: Readonly<Record<AlarmPriority, string>> = {
  1: '#c92a2a',
  2: '#e8590c',
  3: '#868e96',
};

export const AGE_COLOURS: Readonly<Record<AgeLevel, ColourPair | null>> = {
  fresh: null, // plain text colour of the theme
  late: { fg: '#1a1b1e', bg: '#fcc419' },
  overdue: { fg: '#ffffff', bg: '#c92a2a' },
};

export const STATUS_COLOURS = {
  open: { fg: '#ffffff', bg: '#1864ab' },
  acknowledged: { fg: '#ffffff', bg: '#237a36' },
  resolved: { fg: '#ffffff', bg: '#495057' },
} as const satisfies Record<string, ColourPair>;

export const TEST_COLOURS: ColourPair = { fg: '#ffffff', bg: '#6741d9' };

/** Raised by a gateway in its own test mode: probably an installer's test, still dispatched. */
export const GATEWAY_TEST_COLOURS: ColourPair = { fg: '#1a1b1e', bg: '#fcc419' };

/** Someone (family, responder) said "I am going there". */
export const ON_THE_WAY_COLOURS: ColourPair = { fg: '#ffffff', bg: '#237a36' };

/** Feedback after an action: success is calm, failure is loud. */
export const NOTICE_COLOURS: Readonly<Record<'ok' | 'error', ColourPair>> = {
  ok: { fg: '#0b3d16', bg: '#d3f9d8' },
  error: { fg: '#ffffff', bg: '#c92a2a' },
};

/** WCAG 2.x relative luminance of a `#rrggbb` colour. */
export function relativeLuminance(hex: string): number {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) throw new Error(`not a #rrggbb colour: ${hex}`);
  const channel = (h: string | undefined): number => {
    const c = parseInt(h ?? '0', 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(match[1]) + 0.7152 * channel(match[2]) + 0.0722 * channel(match[3]);
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [
    number,
    number,
  ];
  return (hi + 0.05) / (lo + 0.05);
}
