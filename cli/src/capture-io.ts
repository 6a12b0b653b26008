/**
 * A CommandIo whose stdout and stderr are kept as text, so a command run in-process (tests,
 * tools that wrap the CLI) can be read back.
 */
import { Writable } from 'node:stream';
import type { CommandIo } from './command.js';

export function captureIo(): { io: CommandIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stream = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        append(chunk.toString());
        cb();
      },
    });
  return {
    io: { stdout: stream((s) => (out += s)), stderr: stream((s) => (err += s)) },
    out: () => out,
    err: () => err,
  };
}
