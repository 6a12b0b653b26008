/**
 * One lifecycle shape for every part of the hub (issue 14): building a part starts nothing (no
 * timer, no socket, no query); `start()` does, `stop()` undoes it. The composition root lists the
 * parts in dependency order — a part after what it uses — starts them in that order and stops
 * them in reverse, so consumers are up before producers and producers are quiet before the things
 * they write to close.
 */
import type { Logger } from 'pino';

export interface HubPart {
  readonly name: string;
  start(): Promise<void>;
  /** Must be safe without a start (a hub built and closed without listening). */
  stop(): Promise<void>;
}

/** A part with only one of the two steps (the other does nothing). */
export function part(
  name: string,
  steps: { start?: () => Promise<void> | void; stop?: () => Promise<void> | void },
): HubPart {
  return {
    name,
    start: async () => {
      await steps.start?.();
    },
    stop: async () => {
      await steps.stop?.();
    },
  };
}

/**
 * A part that runs `tick` every `everyMs` while started (`onStart` first, each start). Its timer
 * never keeps a stopping hub alive, and a second start while running changes nothing.
 */
export function intervalPart(
  name: string,
  everyMs: number,
  tick: () => void,
  onStart?: () => void,
): HubPart {
  let timer: NodeJS.Timeout | undefined;
  return part(name, {
    start: () => {
      if (timer) return;
      onStart?.();
      timer = setInterval(tick, everyMs);
      timer.unref();
    },
    stop: () => {
      clearInterval(timer);
      timer = undefined;
    },
  });
}

export class Lifecycle {
  private readonly parts: HubPart[] = [];

  constructor(private readonly log: Logger) {}

  add(...parts: HubPart[]): this {
    this.parts.push(...parts);
    return this;
  }

  /** Starts every part in order; the first failure stops the start (and is thrown). */
  async start(): Promise<void> {
    for (const p of this.parts) {
      this.log.debug({ part: p.name }, 'starting');
      await p.start();
    }
  }

  /**
   * Stops every part in reverse order. A part that fails to stop is logged and the others still
   * stop (the database must close even if a broker did not); the first failure is thrown at the end.
   */
  async stop(): Promise<void> {
    let first: Error | undefined;
    for (const p of [...this.parts].reverse()) {
      try {
        await p.stop();
        this.log.debug({ part: p.name }, 'stopped');
      } catch (err) {
        this.log.error({ err, part: p.name }, 'part failed to stop');
        first ??= err instanceof Error ? err : new Error(String(err));
      }
    }
    if (first !== undefined) throw first;
  }

  /** Part names in start order (tests, diagnostics). */
  names(): string[] {
    return this.parts.map((p) => p.name);
  }
}
