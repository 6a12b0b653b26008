/**
 * The latency breakdown of `anxin bench storm`: where an alarm's time goes, separately for alarms
 * raised on a gateway still connecting (with the wait for its connect attempt and the handshake
 * up to CONNACK) and on one already connected. Joins the load processes' times, the hub's alarm
 * trace (ANXIN_ALARM_TRACE) and the console's receipts, as `anxin bench latency` does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseAlarmTrace } from '@anxin/hub';
import { breakdown, type StageBreakdown } from './breakdown.js';
import type { OfferedAlarm } from './worker-protocol.js';

export interface StormBreakdown {
  connecting: StageBreakdown[];
  connected: StageBreakdown[];
}

/**
 * `timed`: the alarms as the load processes last saw them (with publish and connect times);
 * `arrivals`: the console's first receipt by `${gatewayId}|${observedAt}`.
 */
export function stormBreakdown(
  timed: readonly OfferedAlarm[],
  traceFile: string,
  arrivals: ReadonlyMap<string, number>,
): StormBreakdown {
  const trace = existsSync(traceFile) ? parseAlarmTrace(readFileSync(traceFile, 'utf8')) : [];
  return {
    connecting: breakdown(
      timed.filter((a) => !a.connected),
      trace,
      arrivals,
      { connect: true },
    ),
    connected: breakdown(
      timed.filter((a) => a.connected),
      trace,
      arrivals,
    ),
  };
}
