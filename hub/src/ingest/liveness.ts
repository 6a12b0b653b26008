/**
 * Heartbeats and status (DESIGN.md contract clause 6), coalesced per gateway and written once a
 * second, so 20,000 gateways cost one transaction a second instead of hundreds. Written in pieces,
 * each after the alarm lane is idle, so liveness never delays an alarm.
 */
import type { Heartbeat } from '@anxin/protocol';
import type { Logger } from 'pino';
import type { GatewayStore } from '../store/gateways.js';

const HEARTBEAT_FLUSH_MS = 1000;
/** Gateways' heartbeats (and statuses) per liveness transaction; see flush. */
const LIVENESS_CHUNK = 200;

export interface LivenessDeps {
  gateways: Pick<GatewayStore, 'recordLiveness'>;
  log: Logger;
  /** Resolves when no alarm is waiting or being written. */
  alarmsIdle: () => Promise<void>;
  /** A heartbeat reporting the gateway's own test flag changed is now stored. */
  onTestModeReported?: (gatewayId: string) => void;
}

export class Liveness {
  private readonly heartbeats = new Map<string, { heartbeat: Heartbeat; at: number }>();
  private readonly statuses = new Map<string, { state: 'online' | 'offline'; at: number }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private busy = false;
  /**
   * The test flag each gateway last reported, kept only while it is on (a few gateways at a time,
   * not the fleet), so a heartbeat that turns it on, changes its window or drops it is told once.
   * After a restart the first heartbeat of a gateway in test mode counts as a change: harmless.
   */
  private readonly testModes = new Map<string, string>();

  constructor(private readonly deps: LivenessDeps) {}

  /** Starts the periodic heartbeat flush (issue 14: constructors start nothing). */
  start(): void {
    this.timer ??= setInterval(() => {
      // One flush at a time, so an older piece never lands after a newer heartbeat.
      if (this.busy) return;
      this.busy = true;
      this.flushing = this.flush().finally(() => {
        this.busy = false;
      });
    }, HEARTBEAT_FLUSH_MS);
  }

  heartbeat(gatewayId: string, heartbeat: Heartbeat): void {
    this.heartbeats.set(gatewayId, { heartbeat, at: Date.now() });
  }

  status(gatewayId: string, state: 'online' | 'offline'): void {
    this.statuses.set(gatewayId, { state, at: Date.now() });
  }

  /**
   * Writes the coalesced heartbeats and statuses in pieces of LIVENESS_CHUNK gateways, with a turn
   * of the event loop (and the alarm lane) between pieces: at a storm's start every gateway says
   * "online" and sends a heartbeat in the same second, and one transaction for 2,000 of them
   * (~6,000 statements) held the event loop for ~0.2 s.
   */
  private async flush(): Promise<void> {
    if (this.heartbeats.size === 0 && this.statuses.size === 0) return;
    const heartbeats = [...this.heartbeats].map(([gatewayId, v]) => ({ gatewayId, ...v }));
    const statuses = [...this.statuses].map(([gatewayId, v]) => ({ gatewayId, ...v }));
    this.heartbeats.clear();
    this.statuses.clear();
    for (
      let from = 0;
      from < Math.max(heartbeats.length, statuses.length);
      from += LIVENESS_CHUNK
    ) {
      if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      await this.deps.alarmsIdle();
      const beats = heartbeats.slice(from, from + LIVENESS_CHUNK);
      const states = statuses.slice(from, from + LIVENESS_CHUNK);
      try {
        await this.deps.gateways.recordLiveness(beats, states);
        for (const beat of beats) this.noteTestMode(beat.gatewayId, beat.heartbeat);
      } catch (err) {
        this.deps.log.error(
          { err, heartbeats: beats.length, statuses: states.length },
          'liveness not recorded',
        );
      }
    }
  }

  private noteTestMode(gatewayId: string, heartbeat: Heartbeat): void {
    const now = heartbeat.testMode ? JSON.stringify(heartbeat.testMode) : undefined;
    if (now === this.testModes.get(gatewayId)) return;
    if (now === undefined) this.testModes.delete(gatewayId);
    else this.testModes.set(gatewayId, now);
    this.deps.onTestModeReported?.(gatewayId);
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    await this.flush();
  }
}
