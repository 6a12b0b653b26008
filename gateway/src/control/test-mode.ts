/**
 * The gateway's own test flag (issue 10). While it is on, every event the gateway records is
 * marked `test: true` (protocol/src/messages.ts), so the hub shows the alarm as coming from a
 * gateway in test mode. It is on when either says so:
 *  - the command set_test_mode, for a bounded window (default 60 min, at most 24 h): the gateway
 *    switches it off by itself at the end, so a test an installer forgets does not mark a
 *    resident's real alarms for days;
 *  - the hub's configuration, whose testMode says the home is in test mode; it lasts as long as
 *    the hub says so (the hub owns the home's test mode and publishes a new configuration when
 *    it ends).
 * The mark never silences anything: whether an alarm is dispatched is decided by the hub, from
 * the home's test mode only. A gateway must not be able to silence its own alarms.
 *
 * Restart: the command's window is persisted with its end (test-mode.json in the data directory),
 * so a gateway power-cycled during a commissioning test keeps marking that test's events until
 * the window ends — and never longer: a window already over, or ending more than 24 h ahead (a
 * clock that went back, an edited file), is cleared at start.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  TEST_MODE_DEFAULT_MIN,
  TEST_MODE_MAX_MIN,
  type GatewayTestMode,
  errorMessage,
  errnoCode,
} from '@anxin/protocol';
import { writeFileDurably } from './config-store.js';

export const TEST_MODE_FILE = 'test-mode.json';
const MAX_WINDOW_MS = TEST_MODE_MAX_MIN * 60_000;

/** Schedules `fn` after `ms` and returns its cancel; injectable so a test ends a window at once. */
export interface Timers {
  after(ms: number, fn: () => void): () => void;
}

export const REAL_TIMERS: Timers = {
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    // The gateway runs on its own connections; this timer alone keeps no process alive.
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export interface TestModeOptions {
  dataDir: string;
  now: () => number;
  logger: Logger;
  timers?: Timers;
  /** Told every change (on, off, window over), with the new state (null: off). */
  onChange?: (state: GatewayTestMode | null) => void;
}

type Saved =
  { kind: 'none' } | { kind: 'window'; until: number } | { kind: 'unreadable'; message: string };

export class TestModeFlag {
  private until: number | null = null;
  private home = false;
  private cancelTimer: (() => void) | null = null;

  constructor(private readonly options: TestModeOptions) {}

  /** Takes up a window saved before a restart, if it is still running (see the top). */
  restore(): void {
    const { now, logger } = this.options;
    const saved = this.read();
    if (saved.kind === 'none') return;
    if (saved.kind === 'unreadable') {
      logger.warn(
        { code: 'TEST_MODE_STATE_UNREADABLE', err: saved.message },
        'saved test-mode window unreadable: test mode stays off',
      );
      this.save(null);
      return;
    }
    const left = saved.until - now();
    if (left <= 0) {
      logger.info({ until: saved.until }, 'test-mode window ended while the gateway was off');
      this.save(null);
    } else if (left > MAX_WINDOW_MS) {
      logger.warn(
        { code: 'TEST_MODE_WINDOW_INVALID', until: saved.until, leftMs: left },
        'saved test-mode window ends more than 24 h ahead (clock went back?): test mode off',
      );
      this.save(null);
    } else {
      this.until = saved.until;
      this.schedule();
      logger.info(
        { until: saved.until },
        'test mode still on after restart, until its window ends',
      );
    }
  }

  /** Whether events recorded now are marked as tests. */
  get active(): boolean {
    return this.home || this.commandWindowOpen();
  }

  /** The flag as heartbeats and diagnostics report it; a command window wins over the home's. */
  state(): GatewayTestMode | null {
    if (this.commandWindowOpen()) return { source: 'command', until: this.until };
    return this.home ? { source: 'home', until: null } : null;
  }

  /** set_test_mode: on for `minutes`, or off. Returns when the window ends (null: off). */
  setByCommand(enabled: boolean, minutes: number = TEST_MODE_DEFAULT_MIN): number | null {
    this.cancel();
    this.until = enabled ? this.options.now() + minutes * 60_000 : null;
    this.save(this.until);
    if (this.until !== null) this.schedule();
    this.options.logger.info(
      { testMode: enabled, until: this.until, homeTestMode: this.home },
      enabled ? 'test mode set on by the hub' : 'test mode set off by the hub',
    );
    this.changed();
    return this.until;
  }

  /** The hub configuration's testMode (the home's test mode). */
  setByHome(enabled: boolean): void {
    if (this.home === enabled) return;
    this.home = enabled;
    this.options.logger.info(
      { homeTestMode: enabled },
      'home test mode from the hub configuration',
    );
    this.changed();
  }

  stop(): void {
    this.cancel();
  }

  private commandWindowOpen(): boolean {
    return this.until !== null && this.options.now() < this.until;
  }

  private schedule(): void {
    const until = this.until;
    if (until === null) return;
    const timers = this.options.timers ?? REAL_TIMERS;
    this.cancelTimer = timers.after(Math.max(0, until - this.options.now()), () => {
      this.cancelTimer = null;
      this.expire(until);
    });
  }

  private expire(until: number): void {
    // A later set_test_mode replaced this window: its own timer ends it.
    if (this.until !== until) return;
    this.until = null;
    this.save(null);
    this.options.logger.info({ until }, 'test-mode window over: switched off');
    this.changed();
  }

  private cancel(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  private changed(): void {
    this.options.onChange?.(this.state());
  }

  private get file(): string {
    return join(this.options.dataDir, TEST_MODE_FILE);
  }

  private read(): Saved {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return { kind: 'none' };
      return { kind: 'unreadable', message: errorMessage(err) };
    }
    try {
      const value: unknown = JSON.parse(text);
      const until =
        typeof value === 'object' && value !== null && 'until' in value ? value.until : undefined;
      if (typeof until === 'number' && Number.isInteger(until)) return { kind: 'window', until };
      return { kind: 'unreadable', message: `${TEST_MODE_FILE}: no whole-number "until"` };
    } catch (err) {
      return { kind: 'unreadable', message: `${TEST_MODE_FILE}: ${errorMessage(err)}` };
    }
  }

  /** Persists the window (null removes it); a failed write is logged, the flag still works. */
  private save(until: number | null): void {
    try {
      if (until === null) rmSync(this.file, { force: true });
      else writeFileDurably(this.file, JSON.stringify({ until }));
    } catch (err) {
      this.options.logger.warn(
        { code: 'TEST_MODE_NOT_SAVED', err: errorMessage(err) },
        'test-mode window not saved: a restart will end it',
      );
    }
  }
}
