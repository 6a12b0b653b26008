/**
 * No import cycles in the product sources (issue 14: protocol/ had alarms ↔ care ↔ api ↔
 * messages, the web installer its page ↔ its sections). A cycle makes the load order decide
 * whether a value is defined yet, and ties modules that should change alone; the failure names
 * every cycle as a path so it can be cut where it is cheapest.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PRODUCT_ROOTS, importCycles, importGraph } from './support/import-graph.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Cycles that exist today in files other helpers own and are removing (issue 14), each the set of
 * its files. Nothing may be added here: remove an entry when its cycle is cut (the test says so).
 */
const KNOWN_CYCLES: readonly (readonly string[])[] = [];

describe('import graph', () => {
  it('finds a cycle when there is one (the check itself can fail)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ]);
    expect(
      importCycles(graph)
        .map((c) => c.join(' → '))
        .sort(),
    ).toEqual(['a.ts → b.ts → c.ts → a.ts', 'e.ts → e.ts']);
    expect(
      importCycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('reads the real sources (relative imports resolve to files)', () => {
    const graph = importGraph(root, PRODUCT_ROOTS);
    expect(graph.size).toBeGreaterThan(100);
    // protocol's barrel reaches its modules: a sign the parser and resolver work.
    expect(graph.get('protocol/src/index.ts')).toContain('protocol/src/care.ts');
    expect(graph.get('protocol/src/care.ts')).toContain('protocol/src/care/homes.ts');
  });

  it('has no cycle in protocol, devices, gateway, hub, web or cli (but the listed ones)', () => {
    const cycles = importCycles(importGraph(root, PRODUCT_ROOTS)).map((c) => c.join(' → '));
    const files = (cycle: string) => new Set(cycle.split(' → '));
    const known = (cycle: string) =>
      KNOWN_CYCLES.some((k) => [...files(cycle)].every((f) => k.includes(f)));
    expect(cycles.filter((c) => !known(c))).toEqual([]);
    // A listed cycle that is gone must leave the list, so the list only shrinks.
    const gone = KNOWN_CYCLES.filter(
      (k) => !cycles.some((c) => [...files(c)].every((f) => k.includes(f))),
    );
    expect(gone).toEqual([]);
  });
});
