/**
 * No product source file over 400 lines (issue 14): a file that size holds more than one concern
 * and is where changes collide. Tests and testing helpers are left out (a table of cases may be
 * long); the failure names every file over the limit with its length so it can be split.
 */
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PRODUCT_ROOTS, sourceFiles } from './support/import-graph.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const MAX_LINES = 400;

/** Testing helpers (fakes, shared set-ups) are not product code. */
const isTestingHelper = (path: string): boolean =>
  path.split('/').includes('testing') || path.split('/').includes('test-support');

function lineCount(file: string): number {
  const text = readFileSync(file, 'utf8');
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

/** `path → lines` of every product source file over `limit` lines. */
function oversized(limit = MAX_LINES): Map<string, number> {
  const out = new Map<string, number>();
  for (const dir of PRODUCT_ROOTS) {
    for (const file of sourceFiles(`${root}${dir}`)) {
      const path = relative(root, file).split(sep).join('/');
      if (isTestingHelper(path)) continue;
      const lines = lineCount(file);
      if (lines > limit) out.set(path, lines);
    }
  }
  return out;
}

describe('file size', () => {
  it('reads the real sources and counts lines the way an editor does', () => {
    expect(sourceFiles(`${root}hub/src`).length).toBeGreaterThan(100);
    const self = fileURLToPath(import.meta.url);
    const text = readFileSync(self, 'utf8');
    expect(lineCount(self)).toBe(text.trimEnd().split('\n').length);
    expect(isTestingHelper('web/src/testing/fakeHub.ts')).toBe(true);
    expect(isTestingHelper('hub/src/care/store.ts')).toBe(false);
    // The scan reaches product files and reports them with their length (a lower limit catches one).
    const store = lineCount(`${root}hub/src/care/store.ts`);
    expect(oversized(store - 1).get('hub/src/care/store.ts')).toBe(store);
  });

  it(`has no product source file over ${MAX_LINES} lines`, () => {
    const unexpected = [...oversized()].map(([path, lines]) => `${path}: ${lines} lines`);
    expect(unexpected).toEqual([]);
  });
});
