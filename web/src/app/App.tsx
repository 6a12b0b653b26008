/**
 * The app shell: asks the hub who is signed in (GET /api/v1/session), then shows the login page or
 * the page for the user's role: operators and admins get the alarm console, supervisors the
 * supervisor view (/supervisor, with the console at /), installers /installer/…, family /family/…,
 * community workers their visits (/visits); the console roles also have the welfare plans (/plans).
 */
import type { SessionResponse, UserRole } from '@anxin/protocol';
import { Button, Center, Loader, Stack, Text } from '@mantine/core';
import { lazy, Suspense, useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiRequestError } from '../api/http';
import { getSession, logout } from '../api/hub';
import { ConsolePage } from '../console/ConsolePage';
import { navigate, usePath } from './router';
import { useI18n } from '../i18n/I18nProvider';
import { LoginPage } from './LoginPage';

type Phase =
  | { kind: 'checking' }
  | { kind: 'unreachable' }
  | { kind: 'login'; sessionEnded?: boolean }
  | { kind: 'signed-in'; session: SessionResponse };

// Each role's pages are their own chunk: the operator's console loads nothing it does not show.
const FamilyPage = lazy(() =>
  import('../family/FamilyPage').then((m) => ({ default: m.FamilyPage })),
);
const InstallerPage = lazy(() =>
  import('../installer/InstallerPage').then((m) => ({ default: m.InstallerPage })),
);
const WorkerPage = lazy(() =>
  import('../operations/WorkerPage').then((m) => ({ default: m.WorkerPage })),
);
const SupervisorPage = lazy(() =>
  import('../supervisor/SupervisorPage').then((m) => ({ default: m.SupervisorPage })),
);

const GatewayFleetPage = lazy(() =>
  import('../supervisor/GatewayFleetPage').then((m) => ({ default: m.GatewayFleetPage })),
);
const PlansPage = lazy(() => import('../plans/PlansPage').then((m) => ({ default: m.PlansPage })));
const ImportPage = lazy(() =>
  import('../supervisor/ImportPage').then((m) => ({ default: m.ImportPage })),
);

const CONSOLE_ROLES: readonly UserRole[] = ['operator', 'supervisor', 'admin'];

/** Where each role lands, and which paths belong to it. */
const ROLE_HOME: Readonly<Record<UserRole, string>> = {
  operator: '/',
  supervisor: '/supervisor',
  admin: '/',
  installer: '/installer',
  family: '/family',
  community_worker: '/visits',
};
const RETRY_MS = 3_000;

export function App() {
  const { t } = useI18n();
  const [phase, setPhase] = useState<Phase>({ kind: 'checking' });
  const [attempt, setAttempt] = useState(0);
  const path = usePath();

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
          onLoggedIn={(session) => {
            // A fresh sign-in lands on the role's page unless the address already points into it.
            const home = ROLE_HOME[session.user.role];
            if (home !== '/' && !window.location.pathname.startsWith(home)) navigate(home, true);
            setPhase({ kind: 'signed-in', session });
          }}
        />
      );
    case 'signed-in': {
      const { session } = phase;
      const role = session.user.role;
      if (role === 'installer') {
        if (!path.startsWith('/installer')) navigateSoon('/installer');
        return lazyPage(<InstallerPage session={session} onSignOut={signOut} />);
      }
      if (role === 'family') {
        if (!path.startsWith('/family')) navigateSoon('/family');
        return lazyPage(<FamilyPage session={session} onSignOut={signOut} />);
      }
      if (role === 'community_worker') {
        if (!path.startsWith('/visits')) navigateSoon('/visits');
        return lazyPage(<WorkerPage session={session} onSignOut={signOut} />);
      }
      if (!CONSOLE_ROLES.includes(role)) {
        return (
          <Center mih="100vh" p="md">
            <Stack align="center">
              <Text>{t('app.roleNotSupported', { role })}</Text>
              <Button onClick={signOut}>{t('header.logout')}</Button>
            </Stack>
          </Center>
        );
      }
      if (path === '/plans' || path.startsWith('/plans/'))
        return lazyPage(<PlansPage session={session} onSignOut={signOut} />);
      if ((role === 'supervisor' || role === 'admin') && path.startsWith('/supervisor/gateways'))
        return lazyPage(<GatewayFleetPage session={session} onSignOut={signOut} />);
      if ((role === 'supervisor' || role === 'admin') && path.startsWith('/supervisor/import'))
        return lazyPage(<ImportPage session={session} onSignOut={signOut} />);
      if ((role === 'supervisor' || role === 'admin') && path.startsWith('/supervisor')) {
        return (
          <SupervisorPage session={session} onSignOut={signOut} onSessionEnded={sessionEnded} />
        );
      }
      return <ConsolePage session={session} onSignOut={signOut} onSessionEnded={sessionEnded} />;
    }
  }
}

function lazyPage(page: ReactNode) {
  return (
    <Suspense
      fallback={
        <Center mih="100vh">
          <Loader aria-hidden />
        </Center>
      }
    >
      {page}
    </Suspense>
  );
}

/** Corrects the address bar after render (a role's page opened at another role's path). */
function navigateSoon(path: string): void {
  queueMicrotask(() => navigate(path, true));
}
