/** The installer's words for a gateway's configuration state (issue 10). Pure, so it is unit-tested. */
import type { GatewayControlDto } from '@anxin/protocol';
import type { MessageKey } from '../i18n';

export interface ControlText {
  key: MessageKey;
  params: Record<string, string | number>;
}

/** "on version N" / "waiting to apply N+1" / "refused N+1: reason" / not reported yet. */
export function controlText(control: GatewayControlDto): ControlText {
  switch (control.state) {
    case 'applied':
      return {
        key: 'installer.control.applied',
        params: { version: control.appliedVersion ?? control.publishedVersion },
      };
    case 'waiting':
      return { key: 'installer.control.waiting', params: { version: control.publishedVersion } };
    case 'refused':
      return {
        key: 'installer.control.refused',
        params: {
          version: control.refused?.version ?? control.publishedVersion,
          reason: control.refused?.reason ?? '',
        },
      };
    case 'unknown':
      return { key: 'installer.control.unknown', params: {} };
  }
}
