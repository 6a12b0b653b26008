/**
 * The operator console: live queue, connection state, sound, take/resolve, details, shortcuts;
 * below the alarms, care operations (service requests, welfare checks due, work orders).
 */
import type { AlarmDto, AlarmOutcome, WorkOrderKind } from '@anxin/protocol';
import {
  ActionIcon,
  Anchor,
  CloseButton,
  Group,
  Loader,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconKeyboard } from '@tabler/icons-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { describeError } from '../api/describeError';
import { ApiRequestError } from '../api/http';
import { acknowledgeAlarm, getAlarmDetail, getSession, resolveAlarm } from '../api/hub';
import { createAlarmWorkOrder } from '../api/operations';
import { LanguageSwitch } from '../app/LanguageSwitch';
import { ThemeToggle } from '../app/ThemeToggle';
import { link, navigate } from '../app/router';
import { SignedInUser, type SignedInProps } from '../app/SignedInUser';
import { LANGUAGES } from '../i18n';
import { useI18n } from '../i18n/I18nProvider';
import { SoundBlockedPrompt, SoundControl } from '../sound/SoundControl';
import { useAlarmSound } from '../sound/useAlarmSound';
import { AlarmDetailPanel } from './AlarmDetailPanel';
import { AlarmQueueTable } from './AlarmQueueTable';
import { ConnectionBanner, ConnectionIndicator } from './ConnectionStatus';
import { consoleKeyAction, isTypingTarget } from './keymap';
import { alarmToTake, moveSelection, queueCounts } from './queue';
import { ResolveDialog } from './ResolveDialog';
import { ShortcutsDialog } from './ShortcutsDialog';
import { useAlarmFeed } from './useAlarmFeed';
import { NOTICE_COLOURS } from './palette';
import { OperationsPanel } from '../operations/OperationsPanel';

export interface ConsolePageProps extends SignedInProps {
  onSessionEnded: () => void;
}

type Notice = { tone: 'ok' | 'error'; text: string; id: number };

const NOTICE_OK_MS = 4_000;

export function ConsolePage({ session, onSignOut, onSessionEnded }: ConsolePageProps) {
  const { t, language, setLanguage } = useI18n();
  const checkSession = useCallback(
    () =>
      getSession().then(
        () => true,
        (error: unknown) => !(error instanceof ApiRequestError && error.status === 401),
      ),
    [],
  );
  const feed = useAlarmFeed({ onUnauthenticated: onSessionEnded, checkSession });
  const { alarms, applyLocal } = feed;
  const sound = useAlarmSound(alarms);

  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [detailId, setDetailId] = useState<string | null>(null);
  const [resolving, setResolving] = useState<AlarmDto | null>(null);
  const [resolveError, setResolveError] = useState<string | null>(null);
  const [resolveSubmitting, setResolveSubmitting] = useState(false);
  const [busyIds, setBusyIds] = useState<ReadonlySet<string>>(new Set());
  const [notice, setNotice] = useState<Notice | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const noticeSeq = useRef(0);

  const counts = useMemo(() => queueCounts(alarms), [alarms]);
  const detailAlarm = detailId === null ? null : (alarms.find((a) => a.id === detailId) ?? null);

  // The tab title shows how many alarms wait, for an operator looking at another window.
  useEffect(() => {
    document.title = counts.open > 0 ? `(${counts.open}) ${t('app.title')}` : t('app.title');
  }, [counts.open, t]);

  const showNotice = useCallback((tone: Notice['tone'], text: string) => {
    noticeSeq.current += 1;
    setNotice({ tone, text, id: noticeSeq.current });
  }, []);

  useEffect(() => {
    if (notice?.tone !== 'ok') return;
    const timer = setTimeout(
      () => setNotice((current) => (current?.id === notice.id ? null : current)),
      NOTICE_OK_MS,
    );
    return () => clearTimeout(timer);
  }, [notice]);

  const handleFailure = useCallback(
    (error: unknown): string => {
      if (error instanceof ApiRequestError && error.code === 'UNAUTHENTICATED') onSessionEnded();
      return describeError(error, t);
    },
    [onSessionEnded, t],
  );

  const setBusy = (id: string, busy: boolean) =>
    setBusyIds((current) => {
      const next = new Set(current);
      if (busy) next.add(id);
      else next.delete(id);
      return next;
    });

  const take = useCallback(
    (alarm: AlarmDto) => {
      setSelectedId(alarm.id);
      setDetailId(alarm.id);
      setBusy(alarm.id, true);
      acknowledgeAlarm(alarm.id)
        .then((response) => {
          applyLocal(response.alarm);
          showNotice('ok', t('action.taken'));
        })
        .catch((error: unknown) => {
          showNotice('error', t('action.failed', { message: handleFailure(error) }));
          // Someone else got there first: show their change now rather than at the next push.
          if (error instanceof ApiRequestError && error.code === 'CONFLICT') {
            getAlarmDetail(alarm.id)
              .then((detail) => applyLocal(detail.alarm))
              .catch(() => undefined);
          }
        })
        .finally(() => setBusy(alarm.id, false));
    },
    [applyLocal, handleFailure, showNotice, t],
  );

  const selectAlarm = useCallback((id: string, openDetail: boolean) => {
    setSelectedId(id);
    if (openDetail) setDetailId(id);
  }, []);

  const openResolve = useCallback((alarm: AlarmDto) => {
    setSelectedId(alarm.id);
    setResolveError(null);
    setResolving(alarm);
  }, []);

  const submitResolve = useCallback(
    (alarm: AlarmDto, outcome: AlarmOutcome, notes: string, workOrder: WorkOrderKind | null) => {
      setResolveSubmitting(true);
      setResolveError(null);
      resolveAlarm(alarm.id, outcome, notes)
        .then((response) => {
          // The alarm is resolved whatever happens to the work order; a failure says so.
          if (workOrder !== null)
            createAlarmWorkOrder(alarm.id, { kind: workOrder })
              .then(() => showNotice('ok', t('resolve.workOrderCreated')))
              .catch((error: unknown) =>
                showNotice('error', t('action.failed', { message: handleFailure(error) })),
              );
          // Keep the keyboard flow going: select the alarm that takes this one's place.
          const index = alarms.findIndex((a) => a.id === alarm.id);
          const remaining = alarms.filter((a) => a.id !== alarm.id);
          setSelectedId(remaining[Math.min(Math.max(index, 0), remaining.length - 1)]?.id ?? null);
          applyLocal(response.alarm);
          setResolving(null);
          if (detailId === alarm.id) setDetailId(null);
          showNotice('ok', t('action.resolved'));
        })
        .catch((error: unknown) => setResolveError(handleFailure(error)))
        .finally(() => setResolveSubmitting(false));
    },
    [alarms, applyLocal, detailId, handleFailure, showNotice, t],
  );

  // Global shortcuts. Dialogs handle their own keys (Esc closes them via Mantine).
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || resolving !== null || helpOpen) return;
      if (isTypingTarget(event.target)) return;
      const action = consoleKeyAction(event);
      if (action === null) return;
      const onControl =
        event.target instanceof HTMLElement &&
        (event.target.closest('button, a, [role="radio"]') ?? null) !== null;
      if (action === 'open' && event.key === 'Enter' && onControl) return;
      const selected = alarms.find((a) => a.id === selectedId) ?? null;
      switch (action) {
        case 'next':
        case 'prev':
          setSelectedId(moveSelection(alarms, selectedId, action === 'next' ? 1 : -1));
          break;
        case 'first':
          setSelectedId(alarms[0]?.id ?? null);
          break;
        case 'nextWaiting': {
          const waiting = alarmToTake(alarms, null);
          if (waiting) setSelectedId(waiting.id);
          break;
        }
        case 'open':
          if (selected) setDetailId(selected.id);
          break;
        case 'take': {
          const target = alarmToTake(alarms, selectedId);
          if (target) take(target);
          break;
        }
        case 'resolve':
          if (selected) openResolve(selected);
          break;
        case 'mute':
          sound.toggleMute();
          break;
        case 'language':
          setLanguage(LANGUAGES[(LANGUAGES.indexOf(language) + 1) % LANGUAGES.length] ?? 'en');
          break;
        case 'close':
          if (detailId !== null) setDetailId(null);
          else if (notice !== null) setNotice(null);
          break;
        case 'help':
          setHelpOpen(true);
          break;
      }
      event.preventDefault();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [
    alarms,
    selectedId,
    detailId,
    resolving,
    helpOpen,
    notice,
    language,
    setLanguage,
    take,
    openResolve,
    sound,
  ]);

  return (
    <div className="console-layout">
      <header className="console-header">
        <Group gap="md" wrap="wrap" justify="space-between">
          <Group gap="md" wrap="wrap">
            <Title order={1} size="h3" className="brand">
              {t('app.name')} <span className="brand-sub">{t('queue.title')}</span>
            </Title>
            <ConnectionIndicator state={feed.connection} />
            <SoundControl sound={sound} waitingCount={counts.open} />
          </Group>
          <Group gap="sm" wrap="wrap">
            <LanguageSwitch />
            <ThemeToggle />
            <Tooltip label={t('header.shortcuts')}>
              <ActionIcon
                variant="default"
                size="lg"
                aria-label={t('header.shortcuts')}
                onClick={() => setHelpOpen(true)}
                data-testid="shortcuts-button"
              >
                <IconKeyboard size={18} aria-hidden />
              </ActionIcon>
            </Tooltip>
            <Anchor {...link('/plans')} size="sm" data-testid="nav-plans">
              {t('plans.open')}
            </Anchor>
            {(session.user.role === 'supervisor' || session.user.role === 'admin') && (
              <Anchor
                href="/supervisor"
                size="sm"
                onClick={(event) => {
                  event.preventDefault();
                  navigate('/supervisor');
                }}
                data-testid="nav-supervisor"
              >
                {t('supervisor.title')}
              </Anchor>
            )}
            <SignedInUser session={session} onSignOut={onSignOut} />
          </Group>
        </Group>
      </header>
      <ConnectionBanner lostAt={feed.lostAt} syncError={feed.syncError} />
      <SoundBlockedPrompt sound={sound} />
      <main className="console-main" aria-labelledby="queue-title">
        <div className="console-column">
          <section className="queue-section">
            <Group justify="space-between" mb="xs">
              <Title order={2} size="h4" id="queue-title">
                {t('queue.title')}{' '}
                <Text span size="md" fw={500} c="dimmed" data-testid="queue-count">
                  {t('queue.count', { open: counts.open, acknowledged: counts.acknowledged })}
                </Text>
              </Title>
            </Group>
            <div aria-live="polite" className="notice-area">
              {notice !== null && (
                <div
                  className={`notice notice-${notice.tone}`}
                  style={{
                    color: NOTICE_COLOURS[notice.tone].fg,
                    background: NOTICE_COLOURS[notice.tone].bg,
                  }}
                  role={notice.tone === 'error' ? 'alert' : 'status'}
                  data-testid={notice.tone === 'ok' ? 'action-message' : 'action-error'}
                >
                  <Text size="sm" fw={700} span>
                    {notice.text}
                  </Text>
                  <CloseButton
                    aria-label={t('action.dismiss')}
                    onClick={() => setNotice(null)}
                    size="sm"
                    style={{ color: 'inherit' }}
                  />
                </div>
              )}
            </div>
            {!feed.synced && alarms.length === 0 ? (
              <Group gap="xs" p="lg" role="status" data-testid="queue-loading">
                <Loader size="sm" aria-hidden />
                <Text>{t('queue.waitingForSync')}</Text>
              </Group>
            ) : alarms.length === 0 ? (
              <Text p="lg" size="lg" c="dimmed" data-testid="queue-empty">
                {t('queue.empty')}
              </Text>
            ) : (
              <div className="queue-scroll">
                <AlarmQueueTable
                  alarms={alarms}
                  selectedId={selectedId}
                  clockOffsetMs={feed.clockOffsetMs}
                  busyIds={busyIds}
                  onSelect={selectAlarm}
                  onTake={take}
                  onResolve={openResolve}
                />
              </div>
            )}
          </section>
          {/* After the alarms, always: non-emergency work never pushes an alarm down the page. */}
          <OperationsPanel onNotice={(text) => showNotice('ok', text)} />
        </div>
        {detailId !== null && (
          <AlarmDetailPanel
            key={detailId}
            alarmId={detailId}
            alarm={detailAlarm}
            busy={busyIds.has(detailId)}
            onTake={take}
            onResolve={openResolve}
            onClose={() => setDetailId(null)}
          />
        )}
      </main>
      <ResolveDialog
        key={resolving?.id ?? 'none'}
        alarm={resolving}
        submitting={resolveSubmitting}
        error={resolveError}
        onSubmit={submitResolve}
        onClose={() => setResolving(null)}
      />
      <ShortcutsDialog opened={helpOpen} onClose={() => setHelpOpen(false)} />
    </div>
  );
}
