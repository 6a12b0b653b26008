/**
 * A real `anxin gateway` process beside a hub process (hub-process.ts), as the tests with separate
 * processes share it: what the factory writes (the id, the hub's address and a file holding the
 * claim code), the zero-touch claim through the installer's REST call, and commands sent through
 * the hub's REST API and waited for until the gateway answered (or the hub gave up).
 * Build first: `npm run build`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  GatewayCommandDto,
  GatewayCommandResponse,
  SendCommandRequest,
} from '@anxin/protocol';
import { spawnAnxin, type AnxinProcess } from './anxin-process.js';
import type { RestClient } from './hub-process.js';
import { waitFor } from './ports.js';

export interface FactoryBox {
  gatewayId: string;
  claimCode: string;
  /** The hub's console URL (the claim channel). */
  hubUrl: string;
  /** More YAML lines (a local broker, …); the log level is info (the tests wait on its lines). */
  extraYaml?: string[];
}

/**
 * Writes `dir`/`name`.code (the claim code, read-only) and `dir`/`name`.yaml (the gateway's
 * config: id, data under `dir`/`name`, 1 s heartbeats, quick reconnects and claim retries).
 * Returns the config file's path.
 */
export function writeFactoryConfig(dir: string, name: string, box: FactoryBox): string {
  const codeFile = join(dir, `${name}.code`);
  writeFileSync(codeFile, `${box.claimCode}\n`, { mode: 0o400 });
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `gatewayId: ${box.gatewayId}`,
      `dataDir: ${join(dir, name)}`,
      'heartbeatIntervalS: 1',
      'reconnect: { minMs: 200, maxMs: 1000, spreadMs: 0 }',
      `claim: { hubUrl: "${box.hubUrl}", codeFile: "${codeFile}", minRetryMs: 200, maxRetryMs: 1000 }`,
      ...(box.extraYaml ?? []),
      'log: { level: info }',
    ].join('\n'),
  );
  return file;
}

/**
 * Starts the gateway on what the factory wrote, has the installer claim its code for `homeId`
 * through REST once it waits for a claim, and resolves when it runs with its own credentials.
 */
export async function startClaimedGateway(
  api: RestClient['api'],
  installerCookie: string,
  homeId: string,
  configFile: string,
  box: Pick<FactoryBox, 'gatewayId' | 'claimCode'>,
): Promise<AnxinProcess> {
  const gateway = spawnAnxin(['gateway', '--config', configFile]);
  try {
    await gateway.waitFor(/"msg":"waiting for claim"/, 60_000);
    const claimed = await api(installerCookie, 'POST', '/gateways/claim', {
      gatewayId: box.gatewayId,
      claimCode: box.claimCode,
      homeId,
    });
    if (claimed.status !== 200)
      throw new Error(
        `claim of ${box.gatewayId}: ${claimed.status} ${JSON.stringify(claimed.body)}`,
      );
    await gateway.waitFor(/gateway running with its own credentials/, 60_000);
  } catch (err) {
    await gateway.stop();
    throw err;
  }
  return gateway;
}

/**
 * Sends a command to `gatewayId` through REST (202 expected) and polls it until it is no longer
 * pending: answered by the gateway, or timed out by the hub.
 */
export async function runCommand(
  api: RestClient['api'],
  cookie: string,
  gatewayId: string,
  request: SendCommandRequest,
  waitMs = 20_000,
): Promise<GatewayCommandDto> {
  const sent = await api<GatewayCommandResponse>(
    cookie,
    'POST',
    `/gateways/${gatewayId}/commands`,
    request,
  );
  if (sent.status !== 202)
    throw new Error(`command ${request.name}: ${sent.status} ${JSON.stringify(sent.body)}`);
  const id = sent.body.command.id;
  return waitFor(
    `${request.name} answered`,
    async () => {
      const read = await api<GatewayCommandResponse>(
        cookie,
        'GET',
        `/gateways/${gatewayId}/commands/${id}`,
      );
      return read.body.command.status === 'pending' ? undefined : read.body.command;
    },
    waitMs,
    100,
  );
}
