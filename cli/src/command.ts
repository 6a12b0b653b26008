import type { Writable } from 'node:stream';

export interface CommandIo {
  stdout: Writable;
  stderr: Writable;
}

/** One `anxin` sub-command. The list of them in commands/index.ts is the whole CLI. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Resolves to the process exit code. Long-running commands resolve when stopped. */
  run(args: string[], io: CommandIo): Promise<number>;
}

/** A usage error: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';
}

/** Resolves when the process is asked to stop (SIGINT or SIGTERM). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export function writeLine(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}
