/**
 * Configuration states reported on up/config-state, coalesced per gateway and written many
 * gateways per transaction (issue 12).
 *
 * Every gateway reports its state when it connects. Written one upsert at a time, each was its
 * own synced SQLite commit (4.5–9 ms measured during a storm), all on the one SQL connection the
 * alarm lane also needs: 2,000 gateways connecting cost 9–18 s of that connection. Here the
 * reports of a short window are written in one transaction per CONFIG_STATE_CHUNK gateways, each
 * piece after the alarm lane is idle, and only the latest report of a gateway is kept.
 */
import type { ConfigState } from '@anxin/protocol';
import type { Logger } from 'pino';

/** Reports gathered before a write: short, so an installer's view follows within a moment. */
export const CONFIG_STATE_FLUSH_MS = 200;
/** Gateways per transaction (as liveness does): bounded so one write never holds the loop long. */
export const CONFIG_STATE_CHUNK = 200;

export interface ReportedConfigState {
  gatewayId: string;
  state: ConfigState;
  at: number;
}

export interface ConfigStateBatchDeps {
  /** Writes the reports in one transaction. */
  write: (reports: readonly ReportedConfigState[]) => Promise<void>;
  /** After a piece is durable: tell the installers of each gateway's home. */
  written: (reports: readonly ReportedConfigState[]) => Promise<void>;
  /** Resolves when no alarm is waiting or being written. */
  alarmsIdle: () => Promise<void>;
  log: Logger;
  now: () => number;
  flushMs?: number;
}

export class ConfigStateBatch {
  private readonly pending = new Map<string, ReportedConfigState>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly deps: ConfigStateBatchDeps) {}

  /** Never throws; a later report of the same gateway replaces an unwritten earlier one. */
  report(gatewayId: string, state: ConfigState): void {
    if (this.closed) return;
    this.pending.set(gatewayId, { gatewayId, state, at: this.deps.now() });
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // One flush at a time, so an older piece never lands after a newer report.
      this.flushing = this.flushing.then(() => this.flush());
    }, this.deps.flushMs ?? CONFIG_STATE_FLUSH_MS);
  }

  /** Resolves when every report made so far is written (tests and close wait on it). */
  async settled(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.flushing = this.flushing.then(() => this.flush());
    }
    await this.flushing;
  }

  async close(): Promise<void> {
    await this.settled();
    this.closed = true;
  }

  private async flush(): Promise<void> {
    const reports = [...this.pending.values()];
    this.pending.clear();
    for (let from = 0; from < reports.length; from += CONFIG_STATE_CHUNK) {
      if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      await this.deps.alarmsIdle();
      const piece = reports.slice(from, from + CONFIG_STATE_CHUNK);
      try {
        await this.deps.write(piece);
      } catch (err) {
        this.deps.log.error({ err, gateways: piece.length }, 'configuration states not recorded');
        continue;
      }
      try {
        await this.deps.written(piece);
      } catch (err) {
        this.deps.log.error({ err, gateways: piece.length }, 'configuration states not pushed');
      }
    }
  }
}
