/**
 * Bulk import for administrators and supervisors (/supervisor/import): choose what the file holds,
 * download the template, upload, read the dry run's every error (row, column, code, message),
 * and only then import, all rows or none.
 */
import {
  IMPORT_KINDS,
  IMPORT_MAX_BYTES,
  type ImportKind,
  type ImportReport,
} from '@anxin/protocol';
import {
  Alert,
  Anchor,
  Button,
  Card,
  FileInput,
  Group,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { describeError } from '../api/describeError';
import { importTemplateUrl, uploadImport } from '../api/careData';
import { PageHeader } from '../app/PageHeader';
import { navigate } from '../app/router';
import type { MessageKey } from '../i18n';
import { useI18n } from '../i18n/I18nProvider';
import type { SignedInProps } from '../app/SignedInUser';

const KIND_KEY: Record<ImportKind, MessageKey> = {
  homes: 'import.kind.homes',
  residents: 'import.kind.residents',
  contacts: 'import.kind.contacts',
  welfare_plans: 'import.kind.welfare_plans',
};

export function ImportPage({ session, onSignOut }: SignedInProps) {
  const { t } = useI18n();
  const [kind, setKind] = useState<ImportKind>('homes');
  const [encoding, setEncoding] = useState<'utf-8' | 'gb18030'>('utf-8');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reset = () => {
    setReport(null);
    setError(null);
  };
  const run = (dryRun: boolean) => {
    if (file === null) return;
    if (file.size > IMPORT_MAX_BYTES) {
      setError(t('import.tooLarge', { mb: IMPORT_MAX_BYTES / 1024 / 1024 }));
      return;
    }
    setBusy(true);
    setError(null);
    uploadImport(kind, file, { dryRun, encoding })
      .then(setReport)
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setBusy(false));
  };
  const clean = report !== null && report.fileErrors.length === 0 && report.errorCount === 0;

  return (
    <div className="console-layout">
      <PageHeader title={t('import.title')} session={session} onSignOut={onSignOut}>
        <Anchor
          href="/supervisor"
          onClick={(e) => {
            e.preventDefault();
            navigate('/supervisor');
          }}
        >
          {t('import.back')}
        </Anchor>
      </PageHeader>
      <main className="page-main" id="main">
        <Stack gap="md" maw={1100}>
          <Text>{t('import.intro')}</Text>
          <Card withBorder>
            <Stack gap="sm">
              <SegmentedControl
                value={kind}
                onChange={(v) => {
                  setKind(IMPORT_KINDS.find((k) => k === v) ?? 'homes');
                  reset();
                }}
                data={IMPORT_KINDS.map((k) => ({ value: k, label: t(KIND_KEY[k]) }))}
                aria-label={t('import.kind')}
                data-testid="import-kind"
              />
              <Group gap="md">
                <Text size="sm">{t('import.template')}</Text>
                <Anchor
                  href={importTemplateUrl(kind, 'zh-CN')}
                  download
                  data-testid="import-template-zh"
                >
                  {t('import.templateZh')}
                </Anchor>
                <Anchor
                  href={importTemplateUrl(kind, 'en')}
                  download
                  data-testid="import-template-en"
                >
                  {t('import.templateEn')}
                </Anchor>
              </Group>
              <FileInput
                label={t('import.file')}
                description={t('import.fileHint')}
                accept=".csv,.xlsx,text/csv"
                value={file}
                onChange={(f) => {
                  setFile(f);
                  reset();
                }}
                clearable
                data-testid="import-file"
              />
              <Select
                label={t('import.encoding')}
                description={t('import.encodingHint')}
                data={[
                  { value: 'utf-8', label: 'UTF-8' },
                  { value: 'gb18030', label: 'GB18030 (GBK)' },
                ]}
                value={encoding}
                onChange={(v) => {
                  setEncoding(v === 'gb18030' ? 'gb18030' : 'utf-8');
                  reset();
                }}
                allowDeselect={false}
                w={240}
              />
              <Group>
                <Button
                  onClick={() => run(true)}
                  loading={busy}
                  disabled={file === null}
                  data-testid="import-check"
                >
                  {t('import.check')}
                </Button>
                <Button
                  color="green"
                  onClick={() => run(false)}
                  loading={busy}
                  disabled={!clean || report.dryRun === false || report.rows === 0}
                  data-testid="import-confirm"
                >
                  {t('import.confirm', { rows: report?.rows ?? 0 })}
                </Button>
              </Group>
            </Stack>
          </Card>
          {error !== null && (
            <Alert color="red" role="alert" data-testid="import-error">
              {error}
            </Alert>
          )}
          {report !== null && <ImportResult report={report} />}
        </Stack>
      </main>
    </div>
  );
}

function ImportResult({ report }: { report: ImportReport }) {
  const { t } = useI18n();
  const summary = report.applied
    ? t('import.applied', { created: report.created, updated: report.updated })
    : t('import.checked', {
        rows: report.rows,
        created: report.created,
        updated: report.updated,
        errors: report.errorCount,
      });
  return (
    <Card
      withBorder
      data-testid="import-report"
      data-errors={report.errorCount + report.fileErrors.length}
    >
      <Title order={2} size="h4">
        {report.applied ? t('import.done') : t('import.dryRun')}
      </Title>
      <Text mt="xs" data-testid="import-summary" role="status">
        {summary}
      </Text>
      {report.job?.resumed && (
        // The same file after an interrupted import: say that this run completed that one.
        <Text mt="xs" size="sm" data-testid="import-resumed">
          {t('import.resumed', { rows: report.job.rowsSkipped })}
        </Text>
      )}
      {report.fileErrors.map((e) => (
        <Alert key={e.code} color="red" mt="xs" data-testid="import-file-error" data-code={e.code}>
          {t('import.fileError', { code: e.code, message: e.message })}
        </Alert>
      ))}
      {report.errors.length > 0 && (
        <Table mt="sm" striped withTableBorder data-testid="import-errors">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('import.col.row')}</Table.Th>
              <Table.Th scope="col">{t('import.col.column')}</Table.Th>
              <Table.Th scope="col">{t('import.col.code')}</Table.Th>
              <Table.Th scope="col">{t('import.col.message')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.errors.slice(0, 2000).map((e, i) => (
              <Table.Tr key={`${e.row}-${e.column ?? ''}-${i}`} data-testid="import-error-row">
                <Table.Td className="mono">{e.row}</Table.Td>
                <Table.Td className="mono">{e.column ?? '—'}</Table.Td>
                <Table.Td className="mono">{e.code}</Table.Td>
                <Table.Td>{e.message}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {report.errors.length > 2000 && (
        <Text size="sm" mt="xs">
          {t('import.moreErrors', { count: report.errorCount - 2000 })}
        </Text>
      )}
    </Card>
  );
}
