import { DRIVERS, findDriver, parseHex, HexParseError } from '@anxin/devices';
import { parseCommandArgs } from '../args.js';
import { UsageError, writeLine, type Command, type CommandIo } from '../command.js';

const decodable = () => DRIVERS.filter((d) => d.inspect !== undefined).map((d) => d.id);

export const decodeCommand: Command = {
  name: 'decode',
  summary: 'explain one captured frame as JSON (fields, values with units, or why it is invalid)',
  usage: [
    'Usage: anxin decode PROTOCOL HEX… [--register ADDR]',
    '',
    `PROTOCOL: ${decodable().join(', ')}`,
    'HEX: the frame as captured; spaces, colons and 0x prefixes are allowed.',
    '--register ADDR: for a Modbus reply, the first register it answers (decimal or 0x hex), so',
    '                 values are named; without it the raw float32 values are printed.',
    '',
    'Prints JSON on stdout. Exit code 0 when the frame is valid, 1 with {"ok":false,"code",',
    '"reason"} when it is not, 2 for a usage error.',
  ].join('\n'),
  run(args, io) {
    return Promise.resolve(decode(args, io));
  },
};

function decode(args: string[], io: CommandIo): number {
  {
    const { values, positionals } = parseCommandArgs(args, { register: { type: 'string' } }, true);
    const [protocol, ...hexParts] = positionals;
    if (!protocol) throw new UsageError('name the PROTOCOL');
    const driver = findDriver(protocol);
    if (!driver?.inspect)
      throw new UsageError(`unknown protocol "${protocol}"; one of: ${decodable().join(', ')}`);
    if (hexParts.length === 0) throw new UsageError('give the frame as HEX');
    let register: number | undefined;
    if (values.register !== undefined) {
      register = Number(values.register);
      if (!Number.isInteger(register) || register < 0 || register > 0xffff) {
        throw new UsageError(
          `--register must be 0..65535 (or 0x0000..0xFFFF), got "${values.register}"`,
        );
      }
    }
    let bytes: Uint8Array;
    try {
      bytes = parseHex(hexParts.join(' '));
    } catch (err) {
      if (err instanceof HexParseError) {
        writeLine(
          io.stdout,
          JSON.stringify({ ok: false, code: err.code, reason: err.message }, null, 2),
        );
        return 1;
      }
      throw err;
    }
    const result = driver.inspect(bytes, register === undefined ? {} : { register });
    writeLine(io.stdout, JSON.stringify(result, null, 2));
    return result.ok ? 0 : 1;
  }
}
