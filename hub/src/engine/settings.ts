/**
 * Rule thresholds and schedules. The hub config holds the defaults (`engine.defaults`); each home
 * may override any of them (stored per home in `home_rule_settings`, see RuleSettingsStore). The
 * defaults are the figures from practice in DESIGN.md ("Alarms"): water < 0.01 m³ in 12 h →
 * wellbeing check; water used in every half-hour slot for 24 h → leak suspected; daily use > 2 m³.
 */
import {
  KindGuard,
  Type,
  type Static,
  type TObject,
  type TProperties,
  type TSchema,
} from '@sinclair/typebox';

const HHMM_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
const hhmm = (defaultValue: string) =>
  Type.String({ pattern: HHMM_PATTERN, default: defaultValue });

export const RuleSettingsSchema = Type.Object(
  {
    /** IANA time zone the night window and the "day" of daily use are read in. */
    timezone: Type.String({ minLength: 1, maxLength: 64, default: 'Asia/Shanghai' }),
    night: Type.Object(
      { start: hhmm('22:00'), end: hhmm('06:00') },
      { default: {}, additionalProperties: false },
    ),
    doorOpenAtNight: Type.Object(
      { enabled: Type.Boolean({ default: true }) },
      { default: {}, additionalProperties: false },
    ),
    bedExit: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        /** Out of bed at night and not back within this → bed_exit_night. */
        returnWithinMin: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 60, default: 20 }),
      },
      { default: {}, additionalProperties: false },
    ),
    inactivity: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        /** Less than waterMinM3 used within waterWindowH → inactivity (wellbeing check). */
        waterWindowH: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 14, default: 12 }),
        waterMinM3: Type.Number({ minimum: 0, default: 0.01 }),
        /** No motion/presence/occupancy within this → inactivity. */
        motionWindowH: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 14, default: 12 }),
        /** Less than electricityMinKwh used within electricityWindowH → inactivity. */
        electricityWindowH: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 14, default: 12 }),
        electricityMinKwh: Type.Number({ minimum: 0, default: 0.01 }),
      },
      { default: {}, additionalProperties: false },
    ),
    consumption: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        /** Water used in every slot of waterSlotMin for waterContinuousH → leak suspected. */
        waterContinuousH: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 7, default: 24 }),
        waterSlotMin: Type.Integer({ minimum: 1, maximum: 24 * 60, default: 30 }),
        /** Water used within one local day above this → abnormal consumption. */
        waterDailyMaxM3: Type.Number({ exclusiveMinimum: 0, default: 2 }),
        /** Energy meter unchanged (below inactivity.electricityMinKwh) this long → abnormal. */
        electricityFlatH: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 30, default: 48 }),
      },
      { default: {}, additionalProperties: false },
    ),
    deviceSilence: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        /** Expected report interval of a device that declares none. */
        defaultIntervalMin: Type.Number({ exclusiveMinimum: 0, default: 60 }),
        /** Silent for this many intervals → device_offline. */
        missedIntervals: Type.Integer({ minimum: 1, maximum: 100, default: 3 }),
      },
      { default: {}, additionalProperties: false },
    ),
    lowBattery: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        thresholdPct: Type.Number({ minimum: 0, maximum: 100, default: 20 }),
        /** The battery must rise this far above the threshold before it can alarm again. */
        hysteresisPct: Type.Number({ minimum: 0, maximum: 50, default: 5 }),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { default: {}, additionalProperties: false },
);
export type RuleSettings = Static<typeof RuleSettingsSchema>;

/** A copy of a schema without its default (an override that is absent must stay absent). */
function withoutDefault(schema: TSchema): TSchema {
  const copy: TSchema = { ...schema };
  delete copy.default;
  return copy;
}

/** The same shape with every key optional and no defaults: a home's overrides. */
function deepPartial(schema: TObject): TObject {
  const props: TProperties = {};
  for (const [key, value] of Object.entries(schema.properties)) {
    const inner = KindGuard.IsObject(value) ? deepPartial(value) : withoutDefault(value);
    props[key] = Type.Optional(inner);
  }
  return Type.Object(props, { additionalProperties: false });
}

export const RuleSettingsOverrideSchema = deepPartial(RuleSettingsSchema);
export type RuleSettingsOverride = {
  [K in keyof RuleSettings]?: RuleSettings[K] extends object
    ? Partial<RuleSettings[K]>
    : RuleSettings[K];
};

/** GET and PUT /api/v1/homes/:id/rules answer: the settings in force and the home's own overrides. */
export const HomeRulesResponseSchema = Type.Object(
  { homeId: Type.String(), settings: RuleSettingsSchema, overrides: RuleSettingsOverrideSchema },
  { additionalProperties: false },
);

/** Defaults with a home's overrides on top (one level of sections). */
export function mergeSettings(
  defaults: RuleSettings,
  override: RuleSettingsOverride | undefined,
): RuleSettings {
  if (!override) return defaults;
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    const base = (defaults as Record<string, unknown>)[key];
    out[key] =
      typeof value === 'object' && value !== null && typeof base === 'object' && base !== null
        ? { ...base, ...value }
        : value;
  }
  return out as RuleSettings;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Day and 24-hour minute in `timeZone`; throws a RangeError for a zone the runtime lacks. */
const dayMinuteFormat = (timeZone: string): Intl.DateTimeFormat =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });

/** Local calendar parts of `ms` in `timezone` (falls back to UTC for an unknown zone). */
export function localParts(ms: number, timezone: string): { day: string; minuteOfDay: number } {
  let f = formatters.get(timezone);
  if (!f) {
    try {
      f = dayMinuteFormat(timezone);
    } catch {
      f = dayMinuteFormat('UTC');
    }
    formatters.set(timezone, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    day: `${parts.year}-${parts.month}-${parts.day}`,
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};

/** Inside the night window (which may wrap midnight, e.g. 22:00–06:00), local time. */
export function isNight(ms: number, settings: RuleSettings): boolean {
  const { minuteOfDay } = localParts(ms, settings.timezone);
  const start = minutes(settings.night.start);
  const end = minutes(settings.night.end);
  if (start === end) return false;
  return start < end
    ? minuteOfDay >= start && minuteOfDay < end
    : minuteOfDay >= start || minuteOfDay < end;
}
