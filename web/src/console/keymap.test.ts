import { describe, expect, it } from 'vitest';
import { consoleKeyAction } from './keymap';

const key = (
  k: string,
  mods: Partial<{ ctrlKey: boolean; altKey: boolean; metaKey: boolean }> = {},
) => consoleKeyAction({ key: k, ctrlKey: false, altKey: false, metaKey: false, ...mods });

describe('console key map', () => {
  it('maps the documented shortcuts', () => {
    expect(key('j')).toBe('next');
    expect(key('ArrowDown')).toBe('next');
    expect(key('k')).toBe('prev');
    expect(key('ArrowUp')).toBe('prev');
    expect(key('g')).toBe('first');
    expect(key('n')).toBe('nextWaiting');
    expect(key('Enter')).toBe('open');
    expect(key('o')).toBe('open');
    expect(key('a')).toBe('take');
    expect(key('r')).toBe('resolve');
    expect(key('m')).toBe('mute');
    expect(key('l')).toBe('language');
    expect(key('Escape')).toBe('close');
    expect(key('?')).toBe('help');
  });

  it('works with Caps Lock and ignores modified keys (browser shortcuts stay the browser’s)', () => {
    expect(key('A')).toBe('take');
    expect(key('r', { ctrlKey: true })).toBeNull();
    expect(key('a', { metaKey: true })).toBeNull();
    expect(key('j', { altKey: true })).toBeNull();
    expect(key('x')).toBeNull();
  });
});
