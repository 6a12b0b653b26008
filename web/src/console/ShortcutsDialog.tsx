import { Kbd, Modal, Table } from '@mantine/core';
import type { MessageKey } from '../i18n';
import { useI18n } from '../i18n/I18nProvider';

/** Every console shortcut; the help dialog (`?`) and the report list the same table. */
export const SHORTCUTS: readonly { keys: readonly string[]; label: MessageKey }[] = [
  { keys: ['j', '↓'], label: 'shortcuts.next' },
  { keys: ['k', '↑'], label: 'shortcuts.prev' },
  { keys: ['g'], label: 'shortcuts.first' },
  { keys: ['n'], label: 'shortcuts.nextWaiting' },
  { keys: ['Enter', 'o'], label: 'shortcuts.open' },
  { keys: ['a'], label: 'shortcuts.take' },
  { keys: ['r'], label: 'shortcuts.resolve' },
  { keys: ['1', '…', '7'], label: 'shortcuts.outcome' },
  { keys: ['Ctrl', 'Enter'], label: 'shortcuts.submit' },
  { keys: ['m'], label: 'shortcuts.mute' },
  { keys: ['l'], label: 'shortcuts.language' },
  { keys: ['Esc'], label: 'shortcuts.close' },
  { keys: ['?'], label: 'shortcuts.help' },
];

export function ShortcutsDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Modal opened={opened} onClose={onClose} title={t('shortcuts.title')}>
      <Table data-testid="shortcuts-dialog">
        <Table.Tbody>
          {SHORTCUTS.map((shortcut) => (
            <Table.Tr key={shortcut.label}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {shortcut.keys.map((key, index) => (
                  <span key={key}>
                    {index > 0 && ' '}
                    {key === '…' ? '…' : <Kbd>{key}</Kbd>}
                  </span>
                ))}
              </Table.Td>
              <Table.Td>{t(shortcut.label)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}
