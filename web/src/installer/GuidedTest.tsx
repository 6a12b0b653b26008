/** The guided device test: each step ticked when the real event arrives (guidedTest.ts). */
import { type DeviceDto, type HomeDto, type SessionResponse } from '@anxin/protocol';
import { Alert, Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { IconCircleCheck, IconClockHour4, IconPrinter } from '@tabler/icons-react';
import { useState } from 'react';
import { describeError } from '../api/describeError';
import { setTestMode } from '../api/hub';
import { useI18n } from '../i18n/I18nProvider';
import { STEP_COLOURS } from '../care/palette';
import { deviceKey, STEP_INSTRUCTIONS, type TestRun } from './guidedTest';
import { link } from './paths';

export function GuidedTest({
  home,
  devices,
  run,
  session,
  onRun,
  onHome,
}: {
  home: HomeDto;
  devices: readonly DeviceDto[];
  run: TestRun | null;
  session: SessionResponse;
  onRun: (run: TestRun | null) => void;
  onHome: (home: HomeDto) => void;
}) {
  const { t, formatTime } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const passedCount =
    run === null ? 0 : devices.filter((d) => run.passed[deviceKey(d)] !== undefined).length;
  const allPassed = run !== null && passedCount === devices.length;

  const start = () => {
    setError(null);
    const begin = () =>
      onRun({
        startedAt: Date.now(),
        startedBy: session.user.displayName,
        passed: {},
        finishedAt: null,
        finishedBy: null,
      });
    if (home.testMode) begin();
    else
      setTestMode(home.id, { enabled: true, reason: 'commissioning test' })
        .then((response) => {
          onHome(response.home);
          begin();
        })
        .catch((e: unknown) => setError(describeError(e, t)));
  };
  const finish = () => {
    if (run === null) return;
    setError(null);
    setTestMode(home.id, { enabled: false, reason: 'commissioning finished' })
      .then((response) => {
        onHome(response.home);
        onRun({ ...run, finishedAt: Date.now(), finishedBy: session.user.displayName });
      })
      .catch((e: unknown) => setError(describeError(e, t)));
  };

  return (
    <section aria-labelledby="setup-test-title" data-testid="guided-test">
      <Title order={3} size="h4" id="setup-test-title">
        {t('test.title')}
      </Title>
      {run === null || run.finishedAt !== null ? (
        <Stack gap="xs" mt="xs">
          <Text size="sm">{t('test.intro')}</Text>
          <Group>
            <Button size="md" onClick={start} data-testid="start-test">
              {run === null ? t('test.start') : t('test.again')}
            </Button>
            {run !== null && (
              <Anchor
                {...link(`/installer/homes/${encodeURIComponent(home.id)}/record`)}
                data-testid="record-link"
              >
                <IconPrinter size={16} aria-hidden /> {t('test.record')}
              </Anchor>
            )}
          </Group>
        </Stack>
      ) : (
        <Stack gap="xs" mt="xs">
          <Text size="sm" role="status" data-testid="test-progress">
            {t('test.progress', { passed: passedCount, total: devices.length })}
          </Text>
          <ol className="test-steps">
            {devices.map((device) => {
              const passed = run.passed[deviceKey(device)];
              const colours = STEP_COLOURS[passed ? 'passed' : 'waiting'];
              return (
                <li
                  key={deviceKey(device)}
                  data-testid="test-step"
                  data-device-id={device.id}
                  data-state={passed ? 'passed' : 'waiting'}
                  className="test-step"
                >
                  <Group gap="xs" wrap="nowrap" align="flex-start">
                    <span className="chip" style={{ color: colours.fg, background: colours.bg }}>
                      {passed ? (
                        <IconCircleCheck size={18} aria-hidden />
                      ) : (
                        <IconClockHour4 size={18} aria-hidden />
                      )}
                      {passed ? t('test.passed') : t('test.waiting')}
                    </span>
                    <div>
                      <Text fw={700}>
                        {t(STEP_INSTRUCTIONS[device.kind ?? 'other'], {
                          device: device.id,
                          room: device.room ?? '—',
                        })}
                      </Text>
                      {passed && (
                        <Text size="xs" data-testid="test-step-evidence">
                          {t('test.passedAt', {
                            time: formatTime(new Date(passed.at)),
                            evidence: passed.evidence,
                          })}
                        </Text>
                      )}
                    </div>
                  </Group>
                </li>
              );
            })}
          </ol>
          <Group>
            <Button
              size="md"
              className="wrap-button"
              color={allPassed ? 'green.9' : 'blue'}
              onClick={finish}
              data-testid="finish-test"
            >
              {allPassed ? t('test.finish') : t('test.finishIncomplete')}
            </Button>
            <Button variant="default" onClick={() => onRun(null)} data-testid="cancel-test">
              {t('test.cancel')}
            </Button>
          </Group>
        </Stack>
      )}
      {error !== null && (
        <Alert color="red" variant="light" role="alert" mt="xs">
          {error}
        </Alert>
      )}
    </section>
  );
}
