/**
 * A byte pipe to a device or bus (a serial port or a TCP serial server) that reopens itself.
 * A port that fails is logged, reported in health and retried with backoff; it never takes the
 * gateway down (DESIGN.md, Engineering practices: "a failing part is logged, not fatal").
 */
import type { Logger } from 'pino';
import { Backoff } from '../backoff.js';

/** An open link, as an opener returns it. */
export interface ByteLink {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface LinkHandlers {
  onData(chunk: Buffer): void;
  /** The link is gone (unplugged USB adapter, TCP reset); `err` says why when known. */
  onClose(err?: Error): void;
}

/** Opens one link; rejects when it cannot. Handlers fire only after it resolved. */
export type LinkOpener = (handlers: LinkHandlers) => Promise<ByteLink>;

export type PortState = 'idle' | 'opening' | 'open' | 'waiting' | 'stopped';

export interface PortHealth {
  port: string;
  state: PortState;
  opens: number;
  failures: number;
  lastError: string | null;
  lastErrorAt: number | null;
  bytesIn: number;
  bytesOut: number;
}

export interface ByteTransportOptions {
  port: string;
  opener: LinkOpener;
  reconnect: { minMs: number; maxMs: number };
  logger: Logger;
  now: () => number;
}

export type DataListener = (chunk: Uint8Array, receivedAt: number) => void;

export class ByteTransport {
  private link: ByteLink | null = null;
  private state: PortState = 'idle';
  private timer: NodeJS.Timeout | null = null;
  private readonly backoff: Backoff;
  private readonly listeners: DataListener[] = [];
  private readonly openListeners: (() => void)[] = [];
  private readonly counters = { opens: 0, failures: 0, bytesIn: 0, bytesOut: 0 };
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  /** Bumped on every open attempt so that late callbacks of an old link are ignored. */
  private generation = 0;

  constructor(private readonly options: ByteTransportOptions) {
    this.backoff = new Backoff(options.reconnect);
  }

  get port(): string {
    return this.options.port;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  onData(listener: DataListener): void {
    this.listeners.push(listener);
  }

  onOpen(listener: () => void): void {
    this.openListeners.push(listener);
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.attempt();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    this.generation += 1;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const link = this.link;
    this.link = null;
    if (link) await link.close().catch(() => undefined);
  }

  /** Writes to the open link; rejects when the port is not open (the caller counts it). */
  async write(bytes: Uint8Array): Promise<void> {
    const link = this.link;
    if (!link || this.state !== 'open') throw new Error(`port ${this.options.port} is not open`);
    this.counters.bytesOut += bytes.byteLength;
    await link.write(bytes);
  }

  health(): PortHealth {
    return {
      port: this.options.port,
      state: this.state,
      ...this.counters,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
    };
  }

  private attempt(): void {
    if (this.state === 'stopped') return;
    this.state = 'opening';
    const generation = ++this.generation;
    const handlers: LinkHandlers = {
      onData: (chunk) => {
        if (generation !== this.generation) return;
        const at = this.options.now();
        this.counters.bytesIn += chunk.byteLength;
        for (const listener of this.listeners) listener(chunk, at);
      },
      onClose: (err) => {
        if (generation !== this.generation) return;
        this.link = null;
        this.fail(err ?? new Error('closed'), 'port closed');
      },
    };
    this.options.opener(handlers).then(
      (link) => {
        if (generation !== this.generation) {
          void link.close().catch(() => undefined);
          return;
        }
        this.link = link;
        this.state = 'open';
        this.counters.opens += 1;
        this.backoff.reset();
        this.options.logger.info({ port: this.options.port }, 'port open');
        for (const listener of this.openListeners) listener();
      },
      (err: unknown) => {
        if (generation !== this.generation) return;
        this.fail(err instanceof Error ? err : new Error(String(err)), 'cannot open port');
      },
    );
  }

  private fail(err: Error, what: string): void {
    if (this.state === 'stopped') return;
    this.counters.failures += 1;
    this.lastError = err.message;
    this.lastErrorAt = this.options.now();
    this.state = 'waiting';
    const delayMs = this.backoff.next();
    this.options.logger.warn(
      { code: 'PORT_ERROR', port: this.options.port, err: err.message, retryInMs: delayMs },
      what,
    );
    this.timer = setTimeout(() => {
      this.timer = null;
      this.attempt();
    }, delayMs);
    this.timer.unref?.();
  }
}
