/**
 * One local engine (Mosquitto, PostgreSQL, Redis) run as a child process on loopback, for tests
 * and for `anxin bench … --hubs N`: a free port, the tail of its output for error messages, a
 * readiness probe polled until a deadline, and a stop that escalates to SIGKILL. Every engine
 * still running when this process exits is killed, so an interrupted test or benchmark leaves no
 * server behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 at the time of asking. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const running = new Set<EngineProcess>();
process.once('exit', () => {
  for (const engine of running) engine.killNow();
});

export interface EngineStart {
  command: string;
  args: readonly string[];
  /** Resolves true once the engine takes clients (polled every 50–100 ms). */
  ready: () => Promise<boolean>;
  readyTimeoutMs: number;
}

export class EngineProcess {
  private child: ChildProcess | undefined;
  private output = '';

  /**
   * @param name what the engine is called in error messages ("mosquitto", "postgres")
   * @param stopSignal the engine's clean fast shutdown (postgres: SIGINT, "fast" mode)
   */
  constructor(
    private readonly name: string,
    private readonly stopSignal: NodeJS.Signals = 'SIGTERM',
  ) {}

  /** The last 8,000 characters the engine wrote (stdout and stderr). */
  get log(): string {
    return this.output;
  }

  get isRunning(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  async start(how: EngineStart): Promise<void> {
    const child = spawn(how.command, [...how.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(this);
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-8000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // A spawn failure (binary missing) arrives as an 'error' event, not an exit code.
    let spawnError: Error | undefined;
    child.once('error', (err) => (spawnError = err));
    const deadline = Date.now() + how.readyTimeoutMs;
    for (;;) {
      if (spawnError) throw new Error(`${this.name} did not start: ${spawnError.message}`);
      if (child.exitCode !== null)
        throw new Error(`${this.name} exited with ${child.exitCode}:\n${this.output}`);
      if (await how.ready()) return;
      if (Date.now() > deadline)
        throw new Error(
          `${this.name} did not take clients within ${how.readyTimeoutMs} ms:\n${this.output}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The clean shutdown signal, then SIGKILL after graceMs. The engine can be start()ed again. */
  async stop(graceMs = 5000): Promise<void> {
    const child = this.child;
    this.child = undefined;
    running.delete(this);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(this.stopSignal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** SIGKILL, as a crash would (also the exit-time cleanup). */
  killNow(): void {
    if (this.isRunning) this.child?.kill('SIGKILL');
  }
}
