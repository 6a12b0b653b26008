import { ConfigError } from '@anxin/protocol';
import { UsageError, writeLine, type CommandIo } from './command.js';
import { COMMANDS } from './commands/index.js';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'anxin — elderly-care smart-home platform (hub, home gateway, simulators, tools)',
    '',
    'Usage: anxin <command> [options]      anxin <command> --help',
    '',
    'Commands:',
    ...lines,
  ].join('\n');
}

/** Runs one command line; returns the exit code (0 ok, 1 failure, 2 usage or configuration). */
export async function run(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    writeLine(name ? io.stdout : io.stderr, usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    writeLine(io.stderr, `anxin: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    writeLine(io.stdout, command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      writeLine(io.stderr, `anxin ${name}: ${err.message}\n\n${command.usage}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      writeLine(io.stderr, `anxin ${name}: ${err.message}`);
      return 2;
    }
    const portProblem = describePortProblem(err);
    if (portProblem) {
      writeLine(io.stderr, `anxin ${name}: ${portProblem}`);
      return 1;
    }
    writeLine(
      io.stderr,
      `anxin ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    return 1;
  }
}

/** A listen failure a user can fix (port taken or not allowed), said plainly with what to do. */
function describePortProblem(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, address, port } = err as NodeJS.ErrnoException & {
    address?: string;
    port?: number;
  };
  if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') return undefined;
  const where = `${address ?? '?'}:${port ?? '?'}`;
  const why =
    code === 'EADDRINUSE'
      ? `${where} is already in use (another anxin, or another program, listens there)`
      : code === 'EACCES'
        ? `not allowed to listen on ${where} (ports below 1024 need privileges)`
        : `${where} is not an address of this machine`;
  return `${why}. Stop the other program, or choose another port in the config (http.port, mqtt.port; for the demo hub.http.port, hub.mqtt.port) or with an environment override such as ANXIN__HTTP__PORT=9080 (demo: ANXIN__HUB__HTTP__PORT=9080).`;
}
