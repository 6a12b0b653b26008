import { scanBus, type ScanProtocol } from '@anxin/devices';
import { intOption, parseCommandArgs } from '../args.js';
import { UsageError, writeLine, type Command } from '../command.js';
import { openScanPort } from '../scan-port.js';

const PROTOCOLS: readonly ScanProtocol[] = ['dlt645', 'cjt188', 'modbus-sdm'];

export const scanCommand: Command = {
  name: 'scan',
  summary: 'find DL/T 645, CJ/T 188 and Modbus meters on an RS-485 bus',
  usage: [
    'Usage: anxin scan --port PATH|tcp://HOST:PORT [--baud N] [--parity even|none|odd]',
    '                  [--protocols dlt645,cjt188,modbus-sdm] [--modbus-ids FROM-TO]',
    '',
    "Sends each protocol's read-address request (DL/T 645 and CJ/T 188, wildcard address) and a",
    'Modbus read to each unit id, and prints what answered as JSON: addresses for the gateway',
    'config, and for every probe whether it got a reply. Wildcard probes find one meter per',
    'protocol on a bus; several meters answering at once show as "garbled".',
    'Defaults: --baud 2400 --parity even (DL/T 645 and CJ/T 188 meters; Eastron SDM120 uses',
    '2400 none, SDM230 9600 none) --modbus-ids 1-10.',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      port: { type: 'string' },
      baud: { type: 'string' },
      parity: { type: 'string' },
      protocols: { type: 'string' },
      'modbus-ids': { type: 'string' },
    });
    if (!values.port) throw new UsageError('--port is required');
    const parity = values.parity ?? 'even';
    if (parity !== 'even' && parity !== 'none' && parity !== 'odd')
      throw new UsageError('--parity is even, none or odd');
    const protocols = (values.protocols ?? PROTOCOLS.join(',')).split(',').map((p) => p.trim());
    for (const p of protocols) {
      if (!(PROTOCOLS as readonly string[]).includes(p))
        throw new UsageError(`unknown protocol "${p}" (${PROTOCOLS.join(', ')})`);
    }
    const ids = /^(\d+)-(\d+)$/.exec(values['modbus-ids'] ?? '1-10');
    const from = Number(ids?.[1]);
    const to = Number(ids?.[2]);
    if (!ids || from < 1 || to > 247 || from > to)
      throw new UsageError('--modbus-ids takes FROM-TO within 1-247');
    const port = await openScanPort(values.port, {
      baudRate: intOption(values.baud, '--baud', 2400, 50, 4_000_000),
      parity,
      dataBits: 8,
      stopBits: 1,
    });
    try {
      const result = await scanBus(port, {
        protocols: protocols as ScanProtocol[],
        modbusIds: { from, to },
      });
      writeLine(io.stdout, JSON.stringify(result, null, 2));
      return 0;
    } finally {
      await port.close();
    }
  },
};
