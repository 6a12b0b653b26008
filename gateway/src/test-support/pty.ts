/** Test scaffolding: a real pseudo-terminal pair from socat (`pty,raw,echo=0` on both ends). */
import { spawn, type ChildProcess } from 'node:child_process';

export interface PtyPair {
  /** The end the gateway opens. */
  gatewaySide: string;
  /** The end the test (the simulated device) writes to and reads from. */
  deviceSide: string;
  close(): Promise<void>;
}

export async function openPtyPair(): Promise<PtyPair> {
  const child: ChildProcess = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
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
    gatewaySide: paths[0] ?? '',
    deviceSide: paths[1] ?? '',
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
