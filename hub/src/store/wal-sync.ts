/**
 * The fsync that makes the hub's SQLite commits durable, off the event loop (issue 12). The hub's connection runs `synchronous = NORMAL` (db.ts): a commit writes
 * its WAL frames to the file — so it survives the hub process dying — without waiting for the
 * disk. What must survive a power cut (an alarm before its gateway is acked, contract clause 3;
 * an operator's change before the reply) then waits for `sync()`: an fdatasync of the WAL file
 * on a thread of its own (wal-sync-thread.ts), which Linux applies to the file, whichever
 * descriptor wrote it (fsync(2)).
 *
 * Requests coalesce (group commit): a caller is answered by the first fdatasync that began after
 * it asked, so while one runs, everyone who asks meanwhile shares the next.
 *
 * A failed fdatasync is final. After one, Linux may have dropped the unwritten pages and marked
 * them clean, so a later fsync that succeeds proves nothing about them (the PostgreSQL
 * "fsyncgate" finding); every later sync fails too and nothing more is acknowledged as durable
 * until the hub restarts and SQLite recovers the WAL from the disk.
 */

/** One fdatasync of the file (injected so the coalescing is tested as pure logic). */
export type DataSync = () => Promise<void>;

export class WalSync {
  /** The fdatasync under way, if any. */
  private current: Promise<void> | undefined;
  /** The one after it, shared by everyone who asked while `current` ran. */
  private next: Promise<void> | undefined;
  private failure: Error | undefined;
  /** fdatasyncs started (tests, /metrics). */
  syncs = 0;
  /** Seconds spent in the fdatasyncs that ended, for /metrics' mean. */
  seconds = 0;

  constructor(
    private readonly dataSync: DataSync,
    private readonly onFailure: (err: Error) => void,
  ) {}

  /** Resolves once everything committed before the call is on the disk. */
  sync(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.next) return this.next;
    const running = this.current;
    if (!running) return this.begin();
    // The one under way may have begun before the caller's write: the caller needs the next one.
    const next = running.then(settled, settled).then(() => {
      this.next = undefined;
      return this.begin();
    });
    this.next = next;
    return next;
  }

  /** Resolves when no fdatasync is under way or waiting. */
  async idle(): Promise<void> {
    while (this.current ?? this.next) await (this.next ?? this.current)?.then(settled, settled);
  }

  get failed(): Error | undefined {
    return this.failure;
  }

  private begin(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.syncs += 1;
    const started = performance.now();
    const run: Promise<void> = this.dataSync().then(
      () => {
        this.seconds += (performance.now() - started) / 1000;
        if (this.current === run) this.current = undefined;
      },
      (err: unknown) => {
        if (this.current === run) this.current = undefined;
        if (!this.failure) {
          this.failure = err instanceof Error ? err : new Error(String(err));
          this.onFailure(this.failure);
        }
        throw this.failure;
      },
    );
    this.current = run;
    return run;
  }
}

function settled(): void {}
