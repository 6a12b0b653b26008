import { intOption, parseCommandArgs } from '../args.js';
import { UsageError, writeLine, type Command } from '../command.js';
import { runLatencyBench } from '../bench/latency.js';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'benchmarks on loopback; figures as JSON on the last line',
  usage: [
    'Usage: anxin bench latency [--gateways N] [--rate MSG_PER_S] [--duration S] [--alarm-rate PER_S]',
    '',
    'latency: starts a hub process and N gateways (each a real MQTT connection and durable outbox),',
    '  offers telemetry at MSG_PER_S across them and raises alarms at random moments (PER_S on',
    '  average), and measures each alarm from the gateway reading it to the Socket.IO push at a',
    '  console. Prints alarm latency p50/p95/p99/max, alarms sent/received/lost, telemetry offered',
    "  and stored per second, and the hub's peak memory.",
    '  Defaults: --gateways 100 --rate 1000 --duration 30 --alarm-rate 2.',
    "  Each gateway holds ~5 open files and the hub 1 socket per gateway: this machine's limit of",
    '  20,000 open files allows a few thousand gateways in one run.',
  ].join('\n'),
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'latency')
      throw new UsageError(sub ? `unknown benchmark "${sub}"` : 'name a benchmark: latency');
    const { values } = parseCommandArgs(rest, {
      gateways: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      'alarm-rate': { type: 'string' },
    });
    const alarmRate = values['alarm-rate'] === undefined ? 2 : Number(values['alarm-rate']);
    if (!Number.isFinite(alarmRate) || alarmRate < 0 || alarmRate > 1000) {
      throw new UsageError(
        `--alarm-rate must be a number from 0 to 1000, got "${values['alarm-rate']}"`,
      );
    }
    const result = await runLatencyBench({
      gateways: intOption(values.gateways, '--gateways', 100, 1, 10_000),
      rate: intOption(values.rate, '--rate', 1000, 0, 1_000_000),
      durationS: intOption(values.duration, '--duration', 30, 1, 3600),
      alarmRate,
      log: (line) => writeLine(io.stderr, `[bench] ${line}`),
    });
    const l = result.alarmLatencyMs;
    writeLine(
      io.stdout,
      `alarm latency ms: p50 ${l.p50} p95 ${l.p95} p99 ${l.p99} max ${l.max} | alarms sent ${result.alarmsSent} received ${result.alarmsReceived} lost ${result.alarmsLost} | telemetry offered ${result.telemetryOfferedPerS}/s stored ${result.telemetryStoredPerS}/s | hub peak RSS ${result.hubPeakRssMb} MB`,
    );
    writeLine(io.stdout, JSON.stringify({ benchmark: 'latency', ...result }));
    return result.alarmsLost === 0 ? 0 : 1;
  },
};
