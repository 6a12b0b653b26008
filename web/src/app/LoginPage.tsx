import type { SessionResponse } from '@anxin/protocol';
import {
  Alert,
  Button,
  Center,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent } from 'react';
import { describeLoginError } from '../api/describeError';
import { login } from '../api/hub';
import { useI18n } from '../i18n/I18nProvider';
import { LanguageSwitch } from './LanguageSwitch';

export interface LoginPageProps {
  /** True when the console sent the user here because the session ended (expiry, sign-out elsewhere). */
  sessionEnded?: boolean;
  onLoggedIn: (session: SessionResponse) => void;
}

export function LoginPage({ sessionEnded = false, onLoggedIn }: LoginPageProps) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);

  useEffect(() => {
    document.title = `${t('login.title')} · ${t('app.title')}`;
  }, [t]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (submitting) return;
    if (username.trim() === '' || password === '') {
      setError(new Error('missing'));
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      onLoggedIn(await login({ username: username.trim(), password }));
    } catch (caught) {
      setError(caught);
      setPassword('');
    } finally {
      setSubmitting(false);
    }
  };

  const message =
    error === null
      ? null
      : error instanceof Error && error.message === 'missing'
        ? t('login.error.missing')
        : describeLoginError(error, t);

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w={380} maw="100%" component="main">
        <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby="login-title">
          <Stack>
            <Group justify="space-between" align="flex-start">
              <div>
                <Title order={1} size="h2" id="login-title">
                  {t('app.name')} · {t('login.title')}
                </Title>
                <Text c="dimmed" size="sm">
                  {t('login.subtitle')}
                </Text>
              </div>
              <LanguageSwitch />
            </Group>
            {sessionEnded && message === null && (
              <Alert color="blue" variant="light" role="status" data-testid="login-notice">
                {t('connection.sessionExpired')}
              </Alert>
            )}
            {message !== null && (
              <Alert
                color="red"
                variant="light"
                icon={<IconAlertTriangle size={18} />}
                role="alert"
                data-testid="login-error"
              >
                {message}
              </Alert>
            )}
            <TextInput
              label={t('login.username')}
              name="username"
              autoComplete="username"
              autoFocus
              required
              value={username}
              onChange={(event) => setUsername(event.currentTarget.value)}
              data-testid="login-username"
            />
            <PasswordInput
              label={t('login.password')}
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.currentTarget.value)}
              data-testid="login-password"
            />
            <Button type="submit" loading={submitting} data-testid="login-submit" size="md">
              {submitting ? t('login.submitting') : t('login.submit')}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
