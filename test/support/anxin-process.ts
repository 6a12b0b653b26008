/**
 * Runs the built `anxin` command as a real child process (tests that need separate processes:
 * end-to-end paths, kills and restarts). Build first: `npm run build`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ANXIN_BIN = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

export interface AnxinProcess {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr interleaved), for assertions and failure messages. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output (past or future). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` (default SIGTERM) and waits for exit; SIGKILL after 10 s. Returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function spawnAnxin(args: string[], env: NodeJS.ProcessEnv = {}): AnxinProcess {
  if (!existsSync(ANXIN_BIN))
    throw new Error(`${ANXIN_BIN} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [ANXIN_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 1_000_000) output = output.slice(-500_000);
    for (const check of waiters) check();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );

  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (match) {
            cleanup();
            resolve(match);
          } else if (child.exitCode !== null) {
            cleanup();
            reject(
              new Error(
                `anxin ${args[0]} exited (${child.exitCode}) before printing ${pattern}:\n${output}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${pattern} from anxin ${args[0]}:\n${output}`,
            ),
          );
        }, timeoutMs);
        const onExit = () => check();
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('exit', onExit);
        };
        waiters.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
