/**
 * "Gateway test": the alarm came from a gateway in its own test mode (set_test_mode, issue 10), so
 * it is probably an installer's test on site. Unlike the home's test mode (TEST badge) it is still
 * dispatched and escalated: the badge tells the operator why, and does not change what to do.
 * The queue row has room for the badge only (its explanation is the tooltip); the detail panel
 * says it in words under the badge.
 */
import { Text } from '@mantine/core';
import { useI18n } from '../i18n/I18nProvider';
import { Chip } from './Chip';
import { GATEWAY_TEST_COLOURS } from './palette';

export function GatewayTestBadge({ explained = false }: { explained?: boolean }) {
  const { t } = useI18n();
  const badge = (
    <Chip
      colours={GATEWAY_TEST_COLOURS}
      title={t('queue.gatewayTestTitle')}
      testId="gateway-test-badge"
    >
      {t('queue.gatewayTest')}
    </Chip>
  );
  if (!explained) return badge;
  return (
    <div data-testid="gateway-test-note">
      {badge}
      <Text size="sm" mt={4}>
        {t('queue.gatewayTestTitle')}
      </Text>
    </div>
  );
}
