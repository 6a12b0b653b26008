/** Typed message keys for the care model's enums: a value without a message does not compile. */
import type { ContactRelation, DeviceKind, Mobility, PlanKind } from '@anxin/protocol';
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
