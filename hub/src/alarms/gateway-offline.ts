/**
 * Technical alarm for silent gateways (DESIGN.md contract clause 6, issue 4): a gateway that has
 * missed `missedHeartbeats` heartbeats gets a gateway_offline alarm and is marked offline; when it
 * is heard from again, an untaken alarm is resolved by the system.
 *
 * State lives in SQL (last_seen_at, the alarm itself), so the check survives a hub restart. After
 * a start the hub first waits one full window: every gateway looks silent while the hub was down,
 * and they need the chance to reconnect before anyone is alarmed.
 */
import type { Logger } from 'pino';
import type { AlarmDto } from '@anxin/protocol';
import type { HubConfig } from '../config.js';
import type { AlarmStore } from '../store/alarms.js';

export class GatewayOfflineMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private startedAt = 0;

  constructor(
    private readonly deps: {
      alarms: AlarmStore;
      config: HubConfig['liveness'];
      log: Logger;
      onChanges: (created: AlarmDto[], updated: AlarmDto[]) => void;
    },
  ) {}

  private get windowMs(): number {
    return this.deps.config.heartbeatIntervalS * 1000 * this.deps.config.missedHeartbeats;
  }

  start(now = Date.now()): void {
    this.startedAt = now;
    this.timer = setInterval(() => {
      this.running = this.tick(Date.now());
    }, this.deps.config.checkIntervalMs);
    this.timer.unref();
  }

  async tick(now: number): Promise<void> {
    try {
      const updated = await this.deps.alarms.clearGatewayOffline(now);
      const created =
        now - this.startedAt >= this.windowMs
          ? await this.deps.alarms.raiseGatewayOffline(now - this.windowMs, now)
          : [];
      for (const a of created)
        this.deps.log.warn(
          { gatewayId: a.gatewayId, alarmId: a.id },
          'gateway silent: gateway_offline alarm raised',
        );
      for (const a of updated)
        this.deps.log.info(
          { gatewayId: a.gatewayId, alarmId: a.id },
          'gateway back: gateway_offline alarm resolved',
        );
      if (created.length > 0 || updated.length > 0) this.deps.onChanges(created, updated);
    } catch (err) {
      this.deps.log.error({ err }, 'gateway liveness check failed');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
