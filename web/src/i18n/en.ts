/**
 * English strings. This dictionary defines the set of message keys: every other language must
 * provide exactly these keys (zh-CN.ts is typed `Messages`, so a missing or extra key is a type
 * error). Placeholders are `{name}` and are filled by `t(key, { name })`.
 *
 * The keys live in one file per area (en-console.ts, en-operations.ts, en-fleet.ts,
 * en-plans.ts) so each stays small; the
 * areas must not share a key (i18n.test.ts checks it, a spread would silently keep the last).
 */
import { enConsole } from './en-console';
import { enFleet } from './en-fleet';
import { enOperations } from './en-operations';
import { enPlans } from './en-plans';

export const en = { ...enConsole, ...enOperations, ...enFleet, ...enPlans } as const;

export type MessageKey = keyof typeof en;
/** The shape every language must implement: exactly the English keys. */
export type Messages = Record<MessageKey, string>;
