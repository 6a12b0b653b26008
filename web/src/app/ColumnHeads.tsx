/**
 * A table's header row, a plain column per message key: the markup the list tables each wrote
 * out by hand. Tables whose headers carry more (scope, alignment, a column only some see) keep
 * their own.
 */
import { Table } from '@mantine/core';
import type { MessageKey } from '../i18n';
import { useI18n } from '../i18n/I18nProvider';

export function ColumnHeads({ keys }: { keys: readonly MessageKey[] }) {
  const { t } = useI18n();
  return (
    <Table.Thead>
      <Table.Tr>
        {keys.map((k) => (
          <Table.Th key={k}>{t(k)}</Table.Th>
        ))}
      </Table.Tr>
    </Table.Thead>
  );
}
