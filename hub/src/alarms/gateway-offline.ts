/**
 * Technical alarm for silent gateways (DESIGN.md contract clause 6, issue 4): a gateway that has
 * missed `missedHeartbeats` heartbeats gets a gateway_offline alarm and is marked offline; when it
 * is heard from again, an untaken alarm is resolved by the system.
 *
 * State lives in SQL (last_seen_at, the alarm itself), so the check survives a hub restart. After
 * a start the hub first waits one full window: every gateway looks silent while the hub was down,
 * and they need the chance to reconnect before anyone is alarmed.
 *
 * Several hubs (issue 11): the check runs on the hub holding the `gateway-offline` lease
 * (cluster/leases.ts), and the database holds at most one unresolved gateway_offline alarm per
 * gateway (unique index, migration 0940_multi_hub), so a gateway is alarmed once, not once per hub.
 */
import type { Logger } from 'pino';
import type { AlarmDto } from '@anxin/protocol';
import type { HubConfig } from '../config.js';
import type { AlarmStore } from '../store/alarms.js';
import type { HubPart } from '../lifecycle.js';

/** The lease this check runs under, when several hubs share the database. */
export interface JobLease {
  acquire(name: string, ttlMs: number, now: number): Promise<boolean>;
  release(name: string): Promise<void>;
}

const LEASE = 'gateway-offline';

export class GatewayOfflineMonitor implements HubPart {
  readonly name = 'gateway-offline';
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private startedAt = 0;

  constructor(
    private readonly deps: {
      alarms: AlarmStore;
      config: HubConfig['liveness'];
      log: Logger;
      onChanges: (created: AlarmDto[], updated: AlarmDto[]) => void;
      lease?: JobLease;
    },
  ) {}

  private get windowMs(): number {
    return this.deps.config.heartbeatIntervalS * 1000 * this.deps.config.missedHeartbeats;
  }

  /** Starts the periodic check; the silence window counts from `now`. */
  start(now = Date.now()): Promise<void> {
    this.startedAt = now;
    this.timer = setInterval(() => {
      this.running = this.tick(Date.now());
    }, this.deps.config.checkIntervalMs);
    this.timer.unref();
    return Promise.resolve();
  }

  /** Long enough to ride out a slow check; short enough that a dead hub's job moves on soon. */
  private get leaseMs(): number {
    return Math.max(3 * this.deps.config.checkIntervalMs, 10_000);
  }

  async tick(now: number): Promise<void> {
    try {
      if (this.deps.lease && !(await this.deps.lease.acquire(LEASE, this.leaseMs, now))) return;
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
    await this.deps.lease?.release(LEASE).catch((err: unknown) => {
      this.deps.log.warn({ err }, 'gateway-offline lease not released (it expires by itself)');
    });
  }
}
