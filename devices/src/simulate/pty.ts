/**
 * A pair of connected pseudo-terminals made by `socat`, for tests and `anxin demo`: whatever is
 * written to one end can be read from the other, exactly as over a null-modem cable, so the real
 * `serialport` code path (termios, reads, writes) is exercised.
 */
import { spawn } from 'node:child_process';

export interface PtyPair {
  /** First end, e.g. /dev/pts/3 (give it to the simulated device). */
  a: string;
  /** Second end (give it to the gateway). */
  b: string;
  /** The socat process id. */
  pid: number;
  /** Stops socat; both paths disappear. Idempotent. */
  close(): Promise<void>;
}

export class PtyError extends Error {
  readonly code = 'PTY_FAILED';
}

/**
 * Spawns `socat -d -d pty,raw,echo=0 pty,raw,echo=0` and waits (up to `timeoutMs`) for the two
 * "PTY is /dev/pts/N" lines it prints on stderr at notice level (-d -d).
 */
export function createPtyPair(
  options: { timeoutMs?: number; socatPath?: string } = {},
): Promise<PtyPair> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const child = spawn(
    options.socatPath ?? 'socat',
    ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let exited = child.exitCode !== null;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  const close = async (): Promise<void> => {
    if (!exited) child.kill('SIGTERM');
    await exitedPromise;
  };

  return new Promise<PtyPair>((resolve, reject) => {
    const paths: string[] = [];
    let stderr = '';
    const fail = (message: string): void => {
      clearTimeout(timer);
      void close().then(() => reject(new PtyError(message)));
    };
    const timer = setTimeout(
      () => fail(`socat gave no PTY paths within ${timeoutMs} ms: ${stderr.slice(0, 500)}`),
      timeoutMs,
    );
    child.once('error', (err) => fail(`cannot start socat: ${err.message}`));
    child.once('exit', (code) => {
      if (paths.length < 2)
        fail(`socat exited (${code ?? 'signal'}) before opening two PTYs: ${stderr.slice(0, 500)}`);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (paths.length >= 2) return;
      stderr += text;
      if (stderr.length > 64_000) stderr = stderr.slice(-8_000);
      for (const match of stderr.matchAll(/PTY is (\/dev\/[^\s]+)/g)) {
        const path = match[1];
        if (path && !paths.includes(path)) paths.push(path);
      }
      const [a, b] = paths;
      if (a && b && child.pid !== undefined) {
        clearTimeout(timer);
        resolve({ a, b, pid: child.pid, close });
      }
    });
  });
}
