/**
 * Console keyboard shortcuts (the list shown by `?` is ShortcutsDialog.SHORTCUTS). Pure: maps a key
 * event to an action; ConsolePage decides what the action does.
 */
export type ConsoleKeyAction =
  | 'next'
  | 'prev'
  | 'first'
  | 'nextWaiting'
  | 'open'
  | 'take'
  | 'resolve'
  | 'mute'
  | 'language'
  | 'close'
  | 'help';

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

const KEYS: Readonly<Record<string, ConsoleKeyAction>> = {
  j: 'next',
  ArrowDown: 'next',
  k: 'prev',
  ArrowUp: 'prev',
  g: 'first',
  Home: 'first',
  n: 'nextWaiting',
  o: 'open',
  Enter: 'open',
  a: 'take',
  r: 'resolve',
  m: 'mute',
  l: 'language',
  Escape: 'close',
  '?': 'help',
};

export function consoleKeyAction(event: KeyLike): ConsoleKeyAction | null {
  if (event.ctrlKey || event.altKey || event.metaKey) return null;
  // Caps Lock must not disable the shortcuts.
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  return KEYS[key] ?? (event.key === '?' ? 'help' : null);
}

/** True when the key press belongs to a text field or another widget that handles keys itself. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (typeof HTMLElement === 'undefined' || !(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return type !== 'checkbox' && type !== 'radio' && type !== 'button';
  }
  return false;
}
