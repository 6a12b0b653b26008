import { createInterface } from 'node:readline';
import {
  attachToSerialPath,
  findDriver,
  findSimulator,
  serveTcpSerial,
  SIMULATORS,
} from '@anxin/devices';
import { loadConfig } from '@anxin/protocol';
import { parseCommandArgs } from '../args.js';
import { UsageError, untilSignal, writeLine, type Command, type CommandIo } from '../command.js';
import { callControl } from '../demo/control.js';
import { DemoConfigSchema } from '../demo/config.js';

const usage = [
  'Usage:',
  '  anxin sim trigger --home ID --event EVENT [--device ID] [--config FILE]',
  '      Makes a simulated device in the running demo act out EVENT (fall, sos, leak, …).',
  "      FILE is the demo's config (to find its data directory; default config/demo.yaml values).",
  '  anxin sim homes [--config FILE]',
  "      Lists the running demo's homes, devices and the events each can act out.",
  '  anxin sim device DRIVER (--serve tcp://HOST:PORT | --port PATH) [--baud N] [--no-auto]',
  "      Runs one simulated device speaking DRIVER's real protocol, on a TCP serial server or a",
  '      serial port (e.g. one end of a socat pseudo-terminal pair). Type an event name and Enter to',
  '      act it out. --no-auto: no periodic output, only what you trigger.',
  '',
  `Simulated drivers: ${SIMULATORS.map((s) => s.driverId).join(', ')}`,
].join('\n');

async function demoDataDir(configFile: string | undefined): Promise<string> {
  return loadConfig(DemoConfigSchema, { file: configFile ?? (await defaultDemoConfig()) }).dataDir;
}

async function defaultDemoConfig(): Promise<string | undefined> {
  const { existsSync } = await import('node:fs');
  return existsSync('config/demo.yaml') ? 'config/demo.yaml' : undefined;
}

async function trigger(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    home: { type: 'string' },
    event: { type: 'string' },
    device: { type: 'string' },
    config: { type: 'string', short: 'c' },
  });
  if (!values.home || !values.event) throw new UsageError('--home and --event are required');
  const dataDir = await demoDataDir(values.config);
  const body = {
    home: values.home,
    event: values.event,
    ...(values.device ? { device: values.device } : {}),
  };
  const res = await callControl(dataDir, 'POST', '/trigger', body).catch((err: Error) => {
    throw new Error(
      `cannot reach a running demo in ${dataDir} (${err.message}); start one with: npm start`,
    );
  });
  const result = res.body as { ok?: boolean; message?: string; device?: string };
  if (res.status !== 200 || !result.ok) {
    writeLine(io.stderr, `anxin sim: ${result.message ?? JSON.stringify(res.body)}`);
    return 1;
  }
  writeLine(io.stdout, `${values.home}: ${result.device ?? '?'} acted out "${values.event}"`);
  return 0;
}

async function homes(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs(args, { config: { type: 'string', short: 'c' } });
  const dataDir = await demoDataDir(values.config);
  const res = await callControl(dataDir, 'GET', '/homes');
  writeLine(io.stdout, JSON.stringify(res.body, null, 2));
  return res.status === 200 ? 0 : 1;
}

async function device(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      serve: { type: 'string' },
      port: { type: 'string' },
      baud: { type: 'string' },
      'no-auto': { type: 'boolean' },
    },
    true,
  );
  const driverId = positionals[0];
  if (!driverId) throw new UsageError('name the DRIVER to simulate');
  const entry = findSimulator(driverId);
  if (!entry) throw new UsageError(`no simulator for "${driverId}"`);
  if (!values.serve === !values.port)
    throw new UsageError('give exactly one of --serve tcp://HOST:PORT or --port PATH');
  const sim = entry.create({});
  let close: () => Promise<void>;
  if (values.serve) {
    const match = /^tcp:\/\/([^/:]+):(\d{1,5})$/.exec(values.serve);
    if (!match?.[1] || !match[2])
      throw new UsageError(`--serve takes tcp://HOST:PORT, got "${values.serve}"`);
    const server = await serveTcpSerial(sim, { host: match[1], port: Number(match[2]) });
    close = () => server.close();
    writeLine(io.stdout, `simulated ${driverId} serving on tcp://${match[1]}:${server.port}`);
  } else {
    const defaults = findDriver(driverId)?.serial;
    const baudRate = values.baud ? Number(values.baud) : (defaults?.baudRate ?? 9600);
    if (!Number.isInteger(baudRate) || baudRate <= 0)
      throw new UsageError(`--baud must be a positive integer`);
    const port = await attachToSerialPath(sim, values.port ?? '', { ...defaults, baudRate });
    close = () => port.close();
    writeLine(io.stdout, `simulated ${driverId} on ${values.port} at ${baudRate} baud`);
  }
  if (!values['no-auto']) sim.start();
  writeLine(
    io.stdout,
    `events: ${sim.scenarios.join(', ')} — type one and press Enter; Ctrl+C stops`,
  );
  const rl = createInterface({ input: process.stdin, terminal: false });
  rl.on('line', (line) => {
    const event = line.trim();
    if (!event) return;
    writeLine(
      io.stdout,
      sim.trigger(event)
        ? `acted out ${event}`
        : `unknown event "${event}"; events: ${sim.scenarios.join(', ')}`,
    );
  });
  await untilSignal();
  rl.close();
  sim.stop();
  await close();
  return 0;
}

export const simCommand: Command = {
  name: 'sim',
  summary: 'simulated devices: trigger an event in the running demo, or run one simulated device',
  usage,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'trigger') return trigger(rest, io);
    if (sub === 'homes') return homes(rest, io);
    if (sub === 'device') return device(rest, io);
    throw new UsageError(
      sub ? `unknown sub-command "${sub}"` : 'name a sub-command: trigger, homes or device',
    );
  },
};
