/**
 * Zero-touch claim with real processes (issue 10): an `anxin hub` process and `anxin gateway`
 * processes over TCP. The gateway starts with only what the factory wrote — its id, the hub's
 * address and a file holding its claim code — and waits. The installer claims the code through
 * the REST API; the gateway picks up its own credentials (stored 0600 in a 0700 directory),
 * connects to MQTT with them and applies its configuration. A gateway with a wrong code and a
 * second box with a copy of the spent code are refused (stable codes, audited); a restart reuses
 * the stored credentials; decommissioning revokes them and the gateway deletes them and waits
 * for a claim again. Re-armed by an administrator, it claims again zero-touch with the new code
 * written to its claim file, while the old code and the old credentials stay refused. The hub's
 * database never holds the code in clear.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { connectAsync } from 'mqtt';
import type {
  AuditEntryDto,
  ClaimedCredentials,
  CreateGatewayResponse,
  GatewayResponse,
  RearmGatewayResponse,
} from '@anxin/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnAnxin, type AnxinProcess } from './support/anxin-process.js';
import { writeFactoryConfig } from './support/gateway-process.js';
import {
  homeWithInstaller,
  restClient,
  startHubProcess,
  type RestClient,
} from './support/hub-process.js';
import { waitFor } from './support/ports.js';

const GW = 'gw-zt-e2e';
const OTHER = 'gw-zt-other';

describe('zero-touch claim with real processes', () => {
  let dir: string;
  let hub: AnxinProcess;
  let httpUrl: string;
  let adminCookie: string;
  let installerCookie: string;
  let code: string;
  let homeId: string;
  /** What the gateway stored at its first claim (to show they stay dead after a re-arm). */
  let firstCredentials: ClaimedCredentials;
  const gateways: AnxinProcess[] = [];

  let api: RestClient['api'];

  /** What the factory writes: the id, the hub's address, and the code in a file of its own. */
  const factoryConfig = (name: string, gatewayId: string, claimCode: string): string =>
    writeFactoryConfig(dir, name, { gatewayId, claimCode, hubUrl: httpUrl });

  function startGateway(config: string): AnxinProcess {
    const p = spawnAnxin(['gateway', '--config', config]);
    gateways.push(p);
    return p;
  }

  const gatewayDto = async (id: string) =>
    (await api<GatewayResponse>(adminCookie, 'GET', `/gateways/${id}`)).body.gateway;
  const audit = async (id: string) =>
    (
      await api<{ entries: AuditEntryDto[] }>(
        adminCookie,
        'GET',
        `/audit?targetType=gateway&targetId=${id}`,
      )
    ).body.entries;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anxin-claim-e2e-'));
    const started = await startHubProcess(dir);
    hub = started.process;
    httpUrl = started.httpUrl;
    const rest = restClient(httpUrl);
    api = rest.api;
    adminCookie = await rest.login('admin', started.adminPassword);

    // A home in a community, and an installer assigned to it.
    ({ homeId, installerCookie } = await homeWithInstaller(rest, adminCookie, 'Claim', {
      username: 'fitter',
      password: 'fitter-password',
    }));

    // The boxes as registered from the factory's list (the code is shown once, here).
    const created = await api<CreateGatewayResponse>(adminCookie, 'POST', '/gateways', { id: GW });
    expect(created.status).toBe(201);
    code = created.body.claimCode;
    expect((await api(adminCookie, 'POST', '/gateways', { id: OTHER })).status).toBe(201);
  }, 150_000);

  afterAll(async () => {
    for (const g of gateways) await g.stop();
    await hub?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the gateway waits, picks up its own credentials once claimed, connects and applies its config', async () => {
    const gateway = startGateway(factoryConfig('box', GW, code));
    await gateway.waitFor(new RegExp(`anxin gateway ${GW}: waiting for claim at`), 60_000);
    await gateway.waitFor(/"msg":"waiting for claim"/, 60_000);
    expect(existsSync(join(dir, 'box', 'claim', 'credentials.json'))).toBe(false);

    // A box whose factory file holds a wrong code is refused, and the refusal audited.
    const wrong = startGateway(factoryConfig('wrong', OTHER, 'WRNG-CODE-0000'));
    await wrong.waitFor(/"code":"CLAIM_CODE_INVALID"/, 60_000);
    await wrong.stop();
    expect((await audit(OTHER)).map((e) => e.action)).toContain('gateway.pickup_failed');

    // The installer claims the code through the REST API: nothing to type into the gateway.
    const claimed = await api<{ gateway: { credentialState: string } }>(
      installerCookie,
      'POST',
      '/gateways/claim',
      { gatewayId: GW, claimCode: code, homeId },
    );
    expect(claimed.status).toBe(200);
    expect(JSON.stringify(claimed.body)).not.toMatch(/password/i);

    await gateway.waitFor(/claimed: credentials picked up and stored/, 60_000);
    await gateway.waitFor(/gateway running with its own credentials/, 60_000);
    await waitFor(
      'gateway online with its own credentials, on the config the hub published',
      async () => {
        const g = await gatewayDto(GW);
        return g.online &&
          g.credentialState === 'in_use' &&
          g.configVersion > 0 &&
          g.reportedConfigVersion === g.configVersion
          ? g
          : undefined;
      },
      60_000,
    );

    // Stored for the owner only.
    const credDir = join(dir, 'box', 'claim');
    const credFile = join(credDir, 'credentials.json');
    expect(statSync(credDir).mode & 0o777).toBe(0o700);
    expect(statSync(credFile).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(credFile, 'utf8')) as ClaimedCredentials;
    expect(stored.password.length).toBeGreaterThanOrEqual(24);
    firstCredentials = stored;

    // The hub never holds the code (nor the gateway's secret) in clear.
    const db = new Database(join(dir, 'hub', 'anxin.db'), { readonly: true });
    try {
      const row = db
        .prepare('SELECT claim_code_hash, secret_hash FROM gateways WHERE id = ?')
        .get(GW) as { claim_code_hash: string; secret_hash: string };
      expect(row.claim_code_hash).toMatch(/^scram-scrypt\$/);
      expect(row.claim_code_hash).not.toContain(code);
      expect(row.secret_hash).not.toContain(stored.password);
    } finally {
      db.close();
    }
  }, 180_000);

  it('a second box with a copy of the spent code is refused; a restart uses the stored credentials', async () => {
    const copy = startGateway(factoryConfig('copy', GW, code));
    await copy.waitFor(/"code":"CLAIM_CODE_USED"/, 60_000);
    await copy.stop();
    expect(existsSync(join(dir, 'copy', 'claim', 'credentials.json'))).toBe(false);
    // A replay of the installer's claim with the same code is refused too.
    const again = await api<{ error: { code: string } }>(
      installerCookie,
      'POST',
      '/gateways/claim',
      {
        gatewayId: GW,
        claimCode: code,
        homeId,
      },
    );
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CLAIM_CODE_USED');
    const actions = (await audit(GW)).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'gateway.claim',
        'gateway.credentials_issued',
        'gateway.pickup_refused',
      ]),
    );

    const first = gateways[0];
    if (!first) throw new Error('first gateway missing');
    expect(await first.stop()).toBe(0);
    const restarted = startGateway(join(dir, 'box.yaml'));
    await restarted.waitFor(/using stored credentials: no claim needed/, 60_000);
    await restarted.waitFor(
      new RegExp(`anxin gateway ${GW}: running with its own credentials`),
      60_000,
    );
    await waitFor(
      'online again',
      async () => ((await gatewayDto(GW)).online ? true : undefined),
      60_000,
    );
  }, 150_000);

  it('decommissioned: the hub revokes the credentials and the gateway deletes them and waits again', async () => {
    const running = gateways[gateways.length - 1];
    if (!running) throw new Error('gateway missing');
    const dec = await api(adminCookie, 'POST', `/gateways/${GW}/decommission`, {
      reason: 'moved out',
    });
    expect(dec.status).toBe(200);
    await running.waitFor(/"code":"CLAIM_REVOKED"/, 60_000);
    expect(existsSync(join(dir, 'box', 'claim', 'credentials.json'))).toBe(false);
    await running.waitFor(/"code":"GATEWAY_DECOMMISSIONED".*"msg":"waiting for claim"/, 60_000);
    expect((await gatewayDto(GW)).credentialState).toBe('revoked');
  }, 120_000);

  it('re-armed: claims again zero-touch with the new code in its file; the old code and credentials stay dead', async () => {
    const running = gateways[gateways.length - 1];
    if (!running) throw new Error('gateway missing');
    const rearmed = await api<RearmGatewayResponse>(adminCookie, 'POST', `/gateways/${GW}/rearm`, {
      reason: 'back from repair',
    });
    expect(rearmed.status).toBe(200);
    const newCode = rearmed.body.claimCode;
    // The factory tool (or the administrator) writes the new code into the gateway's claim file;
    // the gateway, still waiting, asks with it from its next try on.
    const codeFile = join(dir, 'box.code');
    rmSync(codeFile);
    writeFileSync(codeFile, `${newCode}\n`, { mode: 0o400 });
    await running.waitFor(/claim code file changed: asking with the new code/, 60_000);

    const old = await api<{ error: { code: string } }>(installerCookie, 'POST', '/gateways/claim', {
      gatewayId: GW,
      claimCode: code,
      homeId,
    });
    expect(old.status).toBe(404);
    expect(old.body.error.code).toBe('CLAIM_CODE_INVALID');
    const claimed = await api(installerCookie, 'POST', '/gateways/claim', {
      gatewayId: GW,
      claimCode: newCode,
      homeId,
    });
    expect(claimed.status).toBe(200);

    await running.waitFor(/claimed: credentials picked up and stored/, 60_000);
    await waitFor(
      'online with fresh credentials, on the config the hub published',
      async () => {
        const g = await gatewayDto(GW);
        return g.online &&
          g.credentialState === 'in_use' &&
          g.reportedConfigVersion === g.configVersion
          ? g
          : undefined;
      },
      60_000,
    );
    const fresh = JSON.parse(
      readFileSync(join(dir, 'box', 'claim', 'credentials.json'), 'utf8'),
    ) as ClaimedCredentials;
    expect(fresh.password).not.toBe(firstCredentials.password);
    await expect(
      connectAsync(firstCredentials.mqttUrl, {
        clientId: `${GW}-old`,
        username: GW,
        password: firstCredentials.password,
        reconnectPeriod: 0,
        protocolVersion: 4,
        connectTimeout: 10_000,
      }),
    ).rejects.toThrow();
    const reused = await api<{ error: { code: string } }>(
      installerCookie,
      'POST',
      '/gateways/claim',
      { gatewayId: GW, claimCode: newCode, homeId },
    );
    expect(reused.body.error.code).toBe('CLAIM_CODE_USED');
    const entries = await audit(GW);
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['gateway.rearm', 'gateway.claim_failed']),
    );
    expect(JSON.stringify(entries)).not.toContain(newCode);
  }, 150_000);
});
