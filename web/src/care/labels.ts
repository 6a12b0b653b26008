/** Typed message keys for the care model's enums: a value without a message does not compile. */
import type {
  AlarmKind,
  ContactRelation,
  DeviceKind,
  Mobility,
  PlanKind,
  ResponsePlanDto,
} from '@anxin/protocol';
import type { MessageKey } from '../i18n';

export const relationKey = (relation: ContactRelation): MessageKey => `relation.${relation}`;
export const mobilityKey = (mobility: Mobility): MessageKey => `mobility.${mobility}`;
export const deviceKindKey = (kind: DeviceKind): MessageKey => `deviceKind.${kind}`;
export const planKindKey = (kind: PlanKind): MessageKey =>
  kind === 'default' ? 'plan.default' : `kind.${kind}`;

/** A language tag in the user's language ("yue" → "粤语" / "Cantonese"); the tag if unknown. */
export function languageName(tag: string, displayLanguage: string): string {
  try {
    return new Intl.DisplayNames([displayLanguage], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

// The browser bundle imports only types from care.ts/figures.ts: their runtime values sit next to
// TypeBox schemas, which would pull TypeBox (~50 kB) into the console. These local copies are
// checked against the contract's types at compile time (a kind missing or extra does not compile).
const DEVICE_KIND_SET: Readonly<Record<DeviceKind, true>> = {
  fall_radar: true,
  sos_button: true,
  smoke: true,
  gas: true,
  water_leak: true,
  door: true,
  motion: true,
  bed: true,
  electricity_meter: true,
  water_meter: true,
  other: true,
};
export const DEVICE_KIND_LIST = Object.keys(DEVICE_KIND_SET) as DeviceKind[];

export const isDeviceKind = (value: string | null): value is DeviceKind =>
  value !== null && Object.hasOwn(DEVICE_KIND_SET, value);

/** The plan for an alarm kind: its own, else `default` (as protocol care.ts planFor). */
export function planFor(
  plans: readonly ResponsePlanDto[],
  kind: AlarmKind,
): ResponsePlanDto | undefined {
  return plans.find((p) => p.kind === kind) ?? plans.find((p) => p.kind === 'default');
}

/** The telecare answer-time targets (protocol figures.ts ANSWER_TARGETS). */
export const ANSWER_TARGETS = [
  { withinS: 60, target: 0.975 },
  { withinS: 180, target: 0.99 },
] as const;
