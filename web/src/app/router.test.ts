import { describe, expect, it } from 'vitest';
import { matchPath } from './router';

describe('matchPath', () => {
  it('matches literal segments and decodes params', () => {
    expect(matchPath('/family/homes/:id', '/family/homes/home%2D1')).toEqual({ id: 'home-1' });
    expect(matchPath('/family/homes/:id', '/family/homes/home-1/')).toEqual({ id: 'home-1' });
    expect(matchPath('/family/homes/:id', '/family/homes')).toBeNull();
    expect(matchPath('/family/homes/:id', '/installer/homes/x')).toBeNull();
    expect(matchPath('/', '/')).toEqual({});
  });

  it('refuses malformed escapes instead of throwing', () => {
    expect(matchPath('/h/:id', '/h/%E0%A4%A')).toBeNull();
  });
});
