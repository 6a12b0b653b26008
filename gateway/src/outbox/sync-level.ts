/**
 * The outbox's fsync levels (outbox.ts). Durability per lane (SQLite `synchronous` in WAL mode, https://sqlite.org/pragma.html#pragma_synchronous):
 *  - alarm: FULL by default. In WAL mode FULL fsyncs the WAL at every commit, so an alarm that
 *    `append` returned survives a power cut, not only a process crash. Alarms are a few a day per
 *    home, so one fsync each costs nothing that matters, and losing one is the failure the whole
 *    product exists to prevent.
 *  - telemetry: NORMAL by default. A commit survives a process crash (SIGKILL) at once; only a
 *    power cut can lose the last commits before the next WAL sync (a checkpoint, or the next FULL
 *    commit, which syncs everything before it). Meters repeat their cumulative readings every
 *    minute, so a few lost points after a power cut are harmless, and skipping the per-insert
 *    fsync makes telemetry inserts far cheaper on an SD card.
 *  - seq reservation: always FULL. A seq must never be reused, even after a power cut that
 *    rolled back NORMAL commits: the hub deduplicates on (gateway, seq), so a reused seq could
 *    make it drop a new alarm as a "replay". Seqs are therefore taken from blocks whose upper
 *    bound is fsynced before any seq from the block is used; after a restart numbering resumes
 *    above the last reserved bound (gaps are allowed, repeats never).
 *  - deletes after acks run at the lane's level: a delete lost to a power cut only causes a
 *    resend, which the hub ignores as a replay.
 */
import type { FsyncPolicy } from '../config.js';

/** The statement that sets each level on the outbox's connection. */
export const SYNC_PRAGMA: Record<FsyncPolicy, string> = {
  full: 'PRAGMA synchronous = FULL',
  normal: 'PRAGMA synchronous = NORMAL',
  off: 'PRAGMA synchronous = OFF',
};

const SYNC_ORDER: readonly FsyncPolicy[] = ['off', 'normal', 'full'];

/** The stricter of two levels: a transaction holding both lanes' events syncs for the stricter. */
export function strictest(a: FsyncPolicy, b: FsyncPolicy): FsyncPolicy {
  return SYNC_ORDER.indexOf(a) >= SYNC_ORDER.indexOf(b) ? a : b;
}
