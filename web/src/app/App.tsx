/**
 * The app shell: asks the hub who is signed in (GET /api/v1/session), then shows the login page or
 * the page for the user's role. Operators, supervisors and admins get the alarm console; the
 * installer and family pages (issue 6) plug in here by role.
 */
import type { SessionResponse, UserRole } from '@anxin/protocol';
import { Button, Center, Loader, Stack, Text } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { ApiRequestError } from '../api/http';
import { getSession, logout } from '../api/hub';
import { ConsolePage } from '../console/ConsolePage';
import { useI18n } from '../i18n/I18nProvider';
import { LoginPage } from './LoginPage';

type Phase =
  | { kind: 'checking' }
  | { kind: 'unreachable' }
  | { kind: 'login'; sessionEnded?: boolean }
  | { kind: 'signed-in'; session: SessionResponse };

const CONSOLE_ROLES: readonly UserRole[] = ['operator', 'supervisor', 'admin'];
const RETRY_MS = 3_000;

export function App() {
  const { t } = useI18n();
  const [phase, setPhase] = useState<Phase>({ kind: 'checking' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (phase.kind !== 'checking' && phase.kind !== 'unreachable') return;
    const controller = new AbortController();
    let retry: ReturnType<typeof setTimeout> | undefined;
    getSession(controller.signal)
      .then((session) => setPhase({ kind: 'signed-in', session }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiRequestError && error.status === 401) setPhase({ kind: 'login' });
        else {
          setPhase({ kind: 'unreachable' });
          retry = setTimeout(() => setAttempt((n) => n + 1), RETRY_MS);
        }
      });
    return () => {
      controller.abort();
      if (retry !== undefined) clearTimeout(retry);
    };
    // `attempt` re-runs the check after a failure.
  }, [phase.kind, attempt]);

  const signOut = useCallback(() => {
    logout()
      .catch(() => undefined)
      .finally(() => setPhase({ kind: 'login' }));
  }, []);
  const sessionEnded = useCallback(() => setPhase({ kind: 'login', sessionEnded: true }), []);

  switch (phase.kind) {
    case 'checking':
    case 'unreachable':
      return (
        <Center mih="100vh">
          <Stack align="center" gap="xs">
            <Loader aria-hidden />
            <Text role="status" data-testid="app-status">
              {phase.kind === 'checking' ? t('app.loading') : t('app.hubUnreachable')}
            </Text>
          </Stack>
        </Center>
      );
    case 'login':
      return (
        <LoginPage
          sessionEnded={phase.sessionEnded === true}
          onLoggedIn={(session) => setPhase({ kind: 'signed-in', session })}
        />
      );
    case 'signed-in':
      if (!CONSOLE_ROLES.includes(phase.session.user.role)) {
        return (
          <Center mih="100vh" p="md">
            <Stack align="center">
              <Text>{t('app.roleNotSupported', { role: phase.session.user.role })}</Text>
              <Button onClick={signOut}>{t('header.logout')}</Button>
            </Stack>
          </Center>
        );
      }
      return (
        <ConsolePage session={phase.session} onSignOut={signOut} onSessionEnded={sessionEnded} />
      );
  }
}
