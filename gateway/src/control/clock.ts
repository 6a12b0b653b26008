/**
 * The gateway's clock against the hub's (command sync_time, issue 10).
 *
 * The hub stamps the command with its own time; the gateway measures the offset (hub − gateway,
 * including the command's transit time, a few milliseconds on a working link). Then:
 *  - past `correctAboveMs` the gateway corrects its own event times by the offset, so an alarm's
 *    time is right even on a box whose clock is wrong (no RTC battery, no NTP yet) — within the
 *    bound the clock is trusted, so ordinary jitter never shifts times;
 *  - if the configuration allows it (time.setClock, off by default: NTP/chrony should own the
 *    clock, and setting it needs root or CAP_SYS_TIME) it sets the system clock to the hub's;
 *    once set, the correction goes back to zero. Otherwise the answer says CLOCK_NOT_SET, with
 *    the offset and why.
 */
import { execFile } from 'node:child_process';
import type { Logger } from 'pino';
import { errorMessage } from '@anxin/protocol';

/** Sets the system clock to `epochMs`; rejects with the reason when it cannot. */
export type ClockSetter = (epochMs: number) => Promise<void>;

/** `date -u -s @<seconds>` in a child process: the gateway itself never needs the capability. */
export const systemClockSetter: ClockSetter = (epochMs) =>
  new Promise((resolve, reject) => {
    const seconds = (epochMs / 1000).toFixed(3);
    execFile('date', ['-u', '-s', `@${seconds}`], { timeout: 5000 }, (err, _out, stderr) => {
      if (err) reject(new Error((stderr || err.message).trim().slice(0, 300)));
      else resolve();
    });
  });

export interface ClockOptions {
  setClock: boolean;
  correctAboveMs: number;
  now: () => number;
  logger: Logger;
  setter?: ClockSetter;
}

export type SyncOutcome =
  | { offsetMs: number; corrected: boolean; clockSet: true }
  | {
      offsetMs: number;
      corrected: boolean;
      clockSet: false;
      code: 'CLOCK_NOT_SET';
      reason: string;
    };

/** Pure: the correction applied to event times for a measured offset. */
export function correctionFor(offsetMs: number | null, correctAboveMs: number): number {
  return offsetMs !== null && Math.abs(offsetMs) > correctAboveMs ? offsetMs : 0;
}

export class GatewayClock {
  /** The last measured offset (hub − gateway), null before the first sync_time. */
  offsetMs: number | null = null;
  private correction = 0;

  constructor(private readonly options: ClockOptions) {}

  /** Milliseconds to add to a gateway-clock time to get the hub's time. */
  get correctionMs(): number {
    return this.correction;
  }

  async sync(hubTime: number): Promise<SyncOutcome> {
    const { now, logger } = this.options;
    const offsetMs = hubTime - now();
    this.offsetMs = offsetMs;
    this.correction = correctionFor(offsetMs, this.options.correctAboveMs);
    const corrected = this.correction !== 0;
    if (corrected)
      logger.warn(
        { code: 'CLOCK_SKEW', offsetMs },
        'gateway clock differs from the hub’s; event times are corrected by the offset',
      );
    if (!this.options.setClock)
      return {
        offsetMs,
        corrected,
        clockSet: false,
        code: 'CLOCK_NOT_SET',
        reason: 'time.setClock is off (NTP/chrony should own the clock)',
      };
    if (!corrected)
      return {
        offsetMs,
        corrected,
        clockSet: false,
        code: 'CLOCK_NOT_SET',
        reason: `within ${this.options.correctAboveMs} ms of the hub's; left alone`,
      };
    try {
      // The offset was measured against the hub's send time; apply it to the clock as it is now.
      await (this.options.setter ?? systemClockSetter)(now() + offsetMs);
    } catch (err) {
      const reason = `setting the system clock failed: ${errorMessage(err)}`;
      logger.error({ code: 'CLOCK_NOT_SET', offsetMs, reason }, 'system clock not set');
      return { offsetMs, corrected, clockSet: false, code: 'CLOCK_NOT_SET', reason };
    }
    this.correction = 0;
    logger.info({ offsetMs }, 'system clock set to the hub’s');
    return { offsetMs, corrected: false, clockSet: true };
  }
}
