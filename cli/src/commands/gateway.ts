import { createGateway, createManagedGateway, GatewayConfigSchema } from '@anxin/gateway';
import { loadConfig } from '@anxin/protocol';
import { parseCommandArgs } from '../args.js';
import { untilSignal, writeLine, type Command } from '../command.js';

export const gatewayCommand: Command = {
  name: 'gateway',
  summary: 'run a home gateway: read devices, keep the durable outbox, forward to the hub',
  usage: [
    'Usage: anxin gateway --config FILE',
    '',
    'Runs the gateway until SIGINT/SIGTERM. FILE (YAML or JSON, see config/gateway.example.yaml)',
    'names the gateway, its hub credentials and its devices; ANXIN__SECTION__KEY environment',
    'variables override it, e.g. ANXIN__HUB__PASSWORD=….',
    '',
    'Zero-touch claim: with a `claim:` section (hubUrl and code or codeFile, written by the',
    'factory) and no hub password, the gateway waits until an installer claims its code, picks',
    'up its own credentials (stored 0600 under dataDir/claim/) and connects with them.',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseCommandArgs(args, { config: { type: 'string', short: 'c' } });
    const config = loadConfig(GatewayConfigSchema, { file: values.config });
    const stopping = untilSignal();
    if (config.claim && config.hub.password === '') {
      const managed = createManagedGateway(config);
      await managed.start();
      writeLine(
        io.stdout,
        managed.state() === 'running'
          ? `anxin gateway ${config.gatewayId}: running with its own credentials`
          : `anxin gateway ${config.gatewayId}: waiting for claim at ${config.claim.hubUrl}`,
      );
      await stopping;
      await managed.stop();
      return 0;
    }
    const gateway = createGateway(config);
    await gateway.start();
    writeLine(
      io.stdout,
      `anxin gateway ${config.gatewayId}: ${config.devices.length} device(s), hub ${config.hub.url}`,
    );
    await stopping;
    await gateway.stop();
    return 0;
  },
};
