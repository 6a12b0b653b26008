/**
 * A gateway that starts with only its claim code and the hub's address (config `claim:`): it waits
 * for an installer to claim that code (asking the claim channel with bounded, jittered backoff),
 * stores the credentials it is issued (credential-store.ts), runs the ordinary gateway with them,
 * and, if the hub later refuses them and the claim channel confirms they are revoked
 * (decommissioned), stops, forgets them and waits for a claim again. claim-policy.ts decides;
 * this file does the I/O and the timing.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { errorMessage, type ClaimedCredentials } from '@anxin/protocol';
import { Backoff } from '../backoff.js';
import type { GatewayConfig } from '../config.js';
import { createGateway, type Gateway, type GatewayOptions } from '../gateway.js';
import { ClaimTransportError, pickUpCredentials, type PickupResult } from './claim-client.js';
import { afterPickup, afterRefusedLogin, type ClaimState } from './claim-policy.js';
import { CredentialStore } from './credential-store.js';

/** How often a running gateway's uplink is looked at for a refused login. */
const WATCH_INTERVAL_MS = 1_000;

export interface ManagedGateway {
  readonly config: GatewayConfig;
  start(): Promise<void>;
  stop(): Promise<void>;
  state(): ClaimState;
  /** The running gateway (null while waiting for a claim). */
  gateway(): Gateway | null;
  readonly credentials: CredentialStore;
}

type ClaimSection = NonNullable<GatewayConfig['claim']>;

/** The claim code from `claim.code` or the factory's `claim.codeFile` (exactly one). */
export function claimCodeOf(claim: ClaimSection): string {
  if ((claim.code === undefined) === (claim.codeFile === undefined))
    throw new Error('claim: set exactly one of claim.code and claim.codeFile');
  const code = claim.code ?? readFileSync(claim.codeFile ?? '', 'utf8').trim();
  if (code.length < 8 || code.length > 64)
    throw new Error(
      `claim: the claim code must be 8 to 64 characters (from ${claim.codeFile ?? 'claim.code'})`,
    );
  return code;
}

export function createManagedGateway(
  config: GatewayConfig,
  options: GatewayOptions = {},
): ManagedGateway {
  const claim = config.claim;
  if (!claim) throw new Error('createManagedGateway needs a claim: section');
  // Read at start (a bad file fails the start loudly), then again before every ask: a gateway
  // re-armed by the hub gets its new code written into the file and claims with it, no restart.
  let code = claimCodeOf(claim);
  const currentCode = (): string => {
    if (claim.codeFile === undefined) return code;
    try {
      const fresh = claimCodeOf(claim);
      if (fresh !== code) logger.info('claim code file changed: asking with the new code');
      code = fresh;
    } catch (err) {
      // Being rewritten, or removed by mistake: keep asking with the code last read.
      logger.warn({ err: errorMessage(err) }, 'claim code file unreadable; using the last code');
    }
    return code;
  };
  const ca = claim.caFile ? readFileSync(claim.caFile) : undefined;
  const logger = (options.logger ?? pino({ name: 'gateway', level: config.log.level })).child({
    gatewayId: config.gatewayId,
    part: 'claim',
  });
  const store = new CredentialStore(config.dataDir, logger);
  const backoff = new Backoff({ minMs: claim.minRetryMs, maxMs: claim.maxRetryMs });
  let state: ClaimState = 'stopped';
  let running: Gateway | null = null;
  let timer: NodeJS.Timeout | null = null;
  let watchTimer: NodeJS.Timeout | null = null;
  let probing = false;
  let probedAtFailures = -1;

  const ask = async (): Promise<PickupResult | { kind: 'error'; code: string }> => {
    try {
      return await pickUpCredentials({
        hubUrl: claim.hubUrl,
        gatewayId: config.gatewayId,
        code: currentCode(),
        timeoutMs: claim.timeoutMs,
        ...(ca ? { ca } : {}),
      });
    } catch (err) {
      const codeOf = err instanceof ClaimTransportError ? err.code : 'CLAIM_UNREACHABLE';
      logger.warn({ code: codeOf, err: errorMessage(err) }, 'claim channel: no usable answer');
      return { kind: 'error', code: codeOf };
    }
  };

  const schedule = (fn: () => void, delayMs: number) => {
    if (state === 'stopped') return;
    // Not unref'd: while a gateway waits for its claim this timer is all that keeps it running.
    timer = setTimeout(fn, delayMs);
  };

  const waitForClaim = async (): Promise<void> => {
    timer = null;
    if (state !== 'waiting_for_claim') return;
    const result = await ask();
    if (state !== 'waiting_for_claim') return;
    if (result.kind === 'issued') {
      store.write(result.credentials);
      logger.info(
        { homeId: result.credentials.homeId, mqttUrl: result.credentials.mqttUrl },
        'claimed: credentials picked up and stored',
      );
      backoff.reset();
      await run(result.credentials);
      return;
    }
    const decision = afterPickup(result);
    if (decision.action !== 'retry') return;
    const delay = Math.min(claim.maxRetryMs, Math.max(decision.minDelayMs, backoff.next()));
    logger[decision.level](
      {
        ...(result.kind === 'refused' || result.kind === 'error' ? { code: result.code } : {}),
        reason: decision.reason,
        retryInMs: delay,
      },
      'waiting for claim',
    );
    schedule(() => void waitForClaim(), delay);
  };

  const run = async (credentials: ClaimedCredentials): Promise<void> => {
    const effective: GatewayConfig = {
      ...config,
      hub: {
        ...config.hub,
        url: credentials.mqttUrl,
        username: credentials.username,
        password: credentials.password,
      },
    };
    running = createGateway(effective, options);
    state = 'running';
    probedAtFailures = -1;
    await running.start();
    logger.info({ mqttUrl: credentials.mqttUrl }, 'gateway running with its own credentials');
    watchTimer = setInterval(() => void watch(), WATCH_INTERVAL_MS);
    watchTimer.unref?.();
  };

  const halt = async (): Promise<void> => {
    if (watchTimer) clearInterval(watchTimer);
    watchTimer = null;
    const g = running;
    running = null;
    await g?.stop();
  };

  /** A refused login while running: ask the claim channel whether we were revoked. */
  const watch = async (): Promise<void> => {
    const g = running;
    if (!g || probing || state !== 'running') return;
    const { uplink, connected } = g.health();
    if (connected || uplink.lastErrorCode !== 'UPLINK_AUTH_REFUSED') return;
    if (uplink.connectFailures === probedAtFailures) return;
    probing = true;
    try {
      probedAtFailures = uplink.connectFailures;
      const result = await ask();
      if (state !== 'running' || running !== g) return;
      const decision = afterRefusedLogin(result);
      if (decision.action === 'keep') {
        logger.warn({ code: decision.reason }, 'hub refused our credentials; keeping them for now');
        return;
      }
      await halt();
      if (decision.action === 'replace' && result.kind === 'issued') {
        store.write(result.credentials);
        logger.info('credentials replaced by the hub; restarting the uplink');
        await run(result.credentials);
        return;
      }
      store.delete();
      logger.warn(
        { code: 'CLAIM_REVOKED', reason: decision.action === 'forget' ? decision.reason : '' },
        'credentials revoked by the hub: deleted; waiting for a claim again',
      );
      state = 'waiting_for_claim';
      backoff.reset();
      schedule(() => void waitForClaim(), backoff.next());
    } finally {
      probing = false;
    }
  };

  return {
    config,
    credentials: store,
    async start() {
      if (state !== 'stopped') return;
      const stored = store.read(config.gatewayId);
      if (stored) {
        logger.info('using stored credentials: no claim needed');
        await run(stored);
        return;
      }
      state = 'waiting_for_claim';
      logger.info({ hubUrl: claim.hubUrl }, 'waiting for claim: no credentials yet');
      await waitForClaim();
    },
    async stop() {
      state = 'stopped';
      if (timer) clearTimeout(timer);
      timer = null;
      await halt();
    },
    state: () => state,
    gateway: () => running,
  };
}
