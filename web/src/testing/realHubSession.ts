/**
 * Shared set-up of the browser tests that run against the REAL hub: buildHub from @anxin/hub
 * (SQLite in a temp dir, embedded broker and telemetry store, Socket.IO, the production web build
 * served by the hub itself) seeded with the demo data, and headless Chromium. Each test file
 * starts its own (port 0), so files can run side by side.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildHub, hubConfig, seedDemo, type DemoLogin, type Hub } from '@anxin/hub';
import {
  CLAIM_CHALLENGE_PATH,
  CLAIM_PROOF_PATH,
  type ClaimChallengeResponse,
  type ClaimedCredentials,
  type ClaimProofResponse,
} from '@anxin/protocol';
import { openSealed, proveClaimCode } from '@anxin/protocol/claim-proof';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { pino } from 'pino';
import { webBuild } from './webBuild';
import { launchChromium } from './chromium';

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const screenshots = join(resolve(webDir, '..'), 'test-results', 'web');
export const PHONE = { width: 390, height: 844 };

export interface RealHubSession {
  hub: Hub;
  httpUrl: string;
  mqttUrl: string;
  logins: DemoLogin[];
  browser: Browser;
  /** A new browser context signed in as the demo user of `role`. */
  signIn(role: DemoLogin['role'], viewport?: { width: number; height: number }): Promise<Page>;
  /** A REST call as the demo user of `role`; throws with the body on an error status. */
  api<T>(role: DemoLogin['role'], method: string, path: string, body?: unknown): Promise<T>;
  /** What a claimed gateway does by itself: prove its code, open its sealed credentials. */
  pickUpCredentials(gatewayId: string, code: string): Promise<ClaimedCredentials>;
  close(): Promise<void>;
}

export async function startRealHubSession(prefix: string): Promise<RealHubSession> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const webRoot = await webBuild(); // shared with the other browser test files
  await mkdir(screenshots, { recursive: true });
  const config = hubConfig({
    dataDir: join(dir, 'data'),
    http: { host: '127.0.0.1', port: 0, webRoot },
    mqtt: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
  });
  const hub = await buildHub(config, { logger: pino({ level: 'silent' }) });
  const { httpUrl, mqttUrl } = await hub.listen();
  const { logins } = await seedDemo(hub, { homes: 3 });
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const loginOf = (role: DemoLogin['role']): DemoLogin => {
    const found = logins.find((l) => l.role === role);
    if (!found) throw new Error(`no ${role} login`);
    return found;
  };
  const post = async (path: string, body: unknown): Promise<unknown> => {
    const res = await fetch(`${httpUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };

  return {
    hub,
    httpUrl,
    mqttUrl,
    logins,
    browser,
    async signIn(role, viewport = { width: 1440, height: 900 }) {
      const context = await browser.newContext({
        viewport,
        locale: 'en-US',
        reducedMotion: 'reduce',
      });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(httpUrl);
      const { username, password } = loginOf(role);
      await page.getByTestId('login-username').fill(username);
      await page.getByTestId('login-password').fill(password);
      await page.getByTestId('login-submit').click();
      return page;
    },
    async api<T>(role: DemoLogin['role'], method: string, path: string, body?: unknown) {
      const { username, password } = loginOf(role);
      const session = await fetch(`${httpUrl}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const res = await fetch(`${httpUrl}/api/v1${path}`, {
        method,
        headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return (text === '' ? undefined : JSON.parse(text)) as T;
    },
    async pickUpCredentials(gatewayId, code) {
      const challenge = (await post(CLAIM_CHALLENGE_PATH, {
        gatewayId,
        clientNonce: 'web-test-client-nonce-0123',
      })) as ClaimChallengeResponse;
      const { proof, keys, authMessage } = await proveClaimCode(code, gatewayId, challenge);
      const answer = (await post(CLAIM_PROOF_PATH, {
        gatewayId,
        nonce: challenge.nonce,
        proof,
      })) as ClaimProofResponse;
      if (answer.state !== 'issued') throw new Error(`not issued: ${answer.state}`);
      return JSON.parse(
        openSealed(keys.clientKey, authMessage, answer.sealed),
      ) as ClaimedCredentials;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await hub.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
