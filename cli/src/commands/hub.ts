import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildHub, HubConfigSchema } from '@anxin/hub';
import { isValidGatewayId, loadConfig, errorMessage } from '@anxin/protocol';
import { parseCommandArgs } from '../args.js';
import { UsageError, untilSignal, writeLine, type Command } from '../command.js';
import { listenOrClose } from './listen-hub.js';

function readProvisionFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--provision-file: ${errorMessage(err)}`);
  }
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function parseProvision(text: string): { gatewayId: string; secret: string } {
  const at = text.indexOf(':');
  const gatewayId = text.slice(0, at);
  const secret = text.slice(at + 1);
  if (at < 1 || !isValidGatewayId(gatewayId) || secret.length < 8) {
    throw new UsageError(
      `--provision takes GATEWAY_ID:SECRET with a secret of 8+ characters, got "${text}"`,
    );
  }
  return { gatewayId, secret };
}

export const hubCommand: Command = {
  name: 'hub',
  summary: 'run the hub: MQTT broker, ingest, alarms, REST + Socket.IO, console',
  usage: [
    'Usage: anxin hub [--config FILE]',
    '',
    'Runs the hub until SIGINT/SIGTERM. Configuration: FILE (YAML or JSON, see config/hub.example.yaml)',
    'plus ANXIN__SECTION__KEY environment overrides, e.g. ANXIN__HTTP__PORT=8080.',
    'On first start with no users, an administrator account is created and its password printed once.',
    '',
    'Options:',
    '  --config, -c FILE        configuration file',
    '  --provision ID:SECRET    register gateway ID with broker password SECRET (repeatable); for',
    '                           scripted installs such as docker-compose, before claim codes are used',
    '  --provision-file FILE    the same, one ID:SECRET per line (blank lines and # comments ignored)',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      config: { type: 'string', short: 'c' },
      provision: { type: 'string', multiple: true },
      'provision-file': { type: 'string' },
    });
    const config = loadConfig(HubConfigSchema, { file: values.config });
    const fromFile = values['provision-file'] ? readProvisionFile(values['provision-file']) : [];
    const provisions = [...(values.provision ?? []), ...fromFile].map(parseProvision);
    const hub = await buildHub(config);
    // One transaction for all of them (measured: 10,000 gateways 4.7–6.3 s → 2.8 s to listening).
    await hub.provisionGateways(provisions);
    const stopping = untilSignal();
    const { httpUrl, mqttUrl } = await listenOrClose(hub);
    if ((await hub.countUsers()) === 0) {
      const password = randomBytes(9).toString('base64url');
      await hub.createUser({
        username: 'admin',
        password,
        role: 'admin',
        displayName: 'Administrator',
      });
      writeLine(
        io.stdout,
        `first start: created user "admin" with password "${password}" (shown once)`,
      );
    }
    writeLine(io.stdout, `anxin hub: console ${httpUrl}  broker ${mqttUrl}`);
    await stopping;
    await hub.close();
    return 0;
  },
};
