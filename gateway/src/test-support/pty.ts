/** Test scaffolding: a real pseudo-terminal pair from socat (`pty,raw,echo=0` on both ends). */
import { spawn, type ChildProcess } from 'node:child_process';

export interface PtyPair {
  /** The end the gateway opens. */
  gatewaySide: string;
  /** The end the test (the simulated device) writes to and reads from. */
  deviceSide: string;
  close(): Promise<void>;
}

/**
 * `links` gives both ends stable symlink paths (socat's `link=` option), so that a test can kill
 * the pair and create a new one under the same names, as when a USB adapter is unplugged and
 * plugged in again.
 */
export async function openPtyPair(links?: { gateway: string; device: string }): Promise<PtyPair> {
  const end = (link?: string) => (link ? `pty,raw,echo=0,link=${link}` : 'pty,raw,echo=0');
  const child: ChildProcess = spawn(
    'socat',
    ['-d', '-d', end(links?.gateway), end(links?.device)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const paths = await new Promise<string[]>((resolve, reject) => {
    const found: string[] = [];
    let text = '';
    const timer = setTimeout(() => reject(new Error(`socat gave no pty paths: ${text}`)), 5000);
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      // socat -d -d logs e.g. "... N PTY is /dev/pts/5" once per end.
      for (const match of text.matchAll(/PTY is (\S+)/g)) {
        if (match[1] && !found.includes(match[1])) found.push(match[1]);
      }
      if (found.length >= 2) {
        clearTimeout(timer);
        resolve(found.slice(0, 2));
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`socat exited early (${String(code)}): ${text}`));
    });
  });
  return {
    gatewaySide: links?.gateway ?? paths[0] ?? '',
    deviceSide: links?.device ?? paths[1] ?? '',
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
