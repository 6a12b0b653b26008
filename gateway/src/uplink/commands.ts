/**
 * The command stage of the uplink: a valid command from the hub runs through the gateway's
 * handler and always gets one CommandResult back (up/cmd-result), so the hub never waits for an
 * answer until its timeout — not for an unknown command, a handler that throws, or a command it
 * could not read.
 */
import { PROTOCOL_VERSION, type Command, type CommandResult } from '@anxin/protocol';

export type CommandHandler = (command: Command) => Promise<CommandResult> | CommandResult;

/** Runs `command`; without a handler only `ping` is known (answered `pong`). */
export function runCommand(
  command: Command,
  handler: CommandHandler | undefined,
): Promise<CommandResult> {
  if (!handler) {
    return Promise.resolve(
      command.name === 'ping'
        ? { v: PROTOCOL_VERSION, id: command.id, ok: true, message: 'pong' }
        : {
            v: PROTOCOL_VERSION,
            id: command.id,
            ok: false,
            code: 'UNKNOWN_COMMAND',
            message: `unknown command "${command.name}"`,
          },
    );
  }
  // Run in a later microtask, as a promise: a handler that throws, synchronously or not, becomes
  // a FAILED result instead of escaping into the MQTT message handler.
  return Promise.resolve()
    .then(() => handler(command))
    .then(
      (result) => result,
      (err: unknown): CommandResult => ({
        v: PROTOCOL_VERSION,
        id: command.id,
        ok: false,
        code: 'FAILED',
        message: (err instanceof Error ? err.message : String(err)).slice(0, 512),
      }),
    );
}

/** The answer to a well-formed command we cannot read (bad args, unknown shape). */
export function invalidCommandResult(id: string, message: string): CommandResult {
  return {
    v: PROTOCOL_VERSION,
    id,
    ok: false,
    code: 'INVALID_ARGS',
    message: `invalid command: ${message}`.slice(0, 512),
  };
}
