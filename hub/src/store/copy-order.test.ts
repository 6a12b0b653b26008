/** The copy's table and row order (pure logic; the copy itself is tested against PostgreSQL). */
import { describe, expect, it } from 'vitest';
import { parentsFirst, tableOrder, type ForeignKey } from './copy-order.js';

const fk = (table: string, references: string, column = `${references}_id`): ForeignKey => ({
  table,
  column,
  references,
  referencedColumn: 'id',
});

describe('copy order', () => {
  it('puts referenced tables first, ties by name, and names a cycle', () => {
    const fks = [fk('homes', 'areas'), fk('residents', 'homes'), fk('areas', 'areas', 'parent_id')];
    expect(tableOrder(['residents', 'homes', 'users', 'areas'], fks)).toEqual([
      'areas',
      'users',
      'homes',
      'residents',
    ]);
    expect(() => tableOrder(['a', 'b'], [fk('a', 'b'), fk('b', 'a')])).toThrow(/cycle among: a, b/);
  });

  it('orders a tree parents first, keeps rows whose parent is elsewhere', () => {
    const rows = [
      { id: 'street', parent_id: 'district' },
      { id: 'community', parent_id: 'street' },
      { id: 'district', parent_id: null },
      { id: 'orphan', parent_id: 'gone' },
    ];
    const sorted = parentsFirst(rows, [fk('areas', 'areas', 'parent_id')]).map((r) => r.id);
    expect(sorted.indexOf('district')).toBeLessThan(sorted.indexOf('street'));
    expect(sorted.indexOf('street')).toBeLessThan(sorted.indexOf('community'));
    expect(sorted).toHaveLength(4);
    const cyclic = [
      { id: 'x', parent_id: 'y' },
      { id: 'y', parent_id: 'x' },
    ];
    expect(parentsFirst(cyclic, [fk('areas', 'areas', 'parent_id')])).toHaveLength(2);
  });
});
