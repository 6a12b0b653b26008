/**
 * Outbound webhooks (issue 5, "Notifications"): JSON POSTs, signed (signature.ts), retried with
 * exponential back-off and jitter, from a persisted outbox (`notification_outbox`) so a hub
 * restart loses nothing, bounded (oldest waiting deliveries dropped first, counted and logged).
 *
 * Body: `{ id, event, createdAt, data }`. Headers: X-Anxin-Event, X-Anxin-Delivery (the id,
 * stable across retries so receivers can de-duplicate), X-Anxin-Timestamp (unix seconds of this
 * attempt), X-Anxin-Signature. A 2xx answer is delivered; anything else (or no answer within
 * timeoutMs) is retried until maxAttempts, then marked failed.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { newEventId } from '@anxin/protocol';
import type { Database } from '../store/schema.js';
import { engineDb, type EngineDatabase, type EngineTables } from '../engine/tables.js';
import type { NotifyConfig, WebhookConfig } from './config.js';
import {
  DELIVERY_HEADER,
  EVENT_HEADER,
  signBody,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from './signature.js';

/** A claimed delivery is retried by any hub this long after its attempt would have timed out. */
const CLAIM_MARGIN_MS = 30_000;

export interface NotifierStats {
  enqueued: number;
  delivered: number;
  retried: number;
  failed: number;
  dropped: number;
}

/** Back-off before attempt n+1 after n failed attempts: exponential, half of it jittered. */
export function backoffMs(
  failedAttempts: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(base / 2 + random() * (base / 2));
}

function wants(hook: WebhookConfig, event: string): boolean {
  return hook.events.some(
    (e) => e === '*' || e === event || (e.endsWith('.*') && event.startsWith(e.slice(0, -1))),
  );
}

export class Notifier {
  private readonly db: Kysely<EngineDatabase>;
  private timer: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private readonly now: () => number;
  readonly counters: NotifierStats = {
    enqueued: 0,
    delivered: 0,
    retried: 0,
    failed: 0,
    dropped: 0,
  };

  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      config: NotifyConfig;
      log: Logger;
      clock?: () => number;
    },
  ) {
    this.db = engineDb(deps.db);
    this.now = deps.clock ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.deps.config.pollIntervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Queues `event` for every webhook that wants it. Resolves once it is persisted. */
  async enqueue(event: string, data: unknown): Promise<number> {
    if (!this.anyWants(event)) return 0;
    const n = await this.db.transaction().execute((trx) => this.insertDeliveries(trx, event, data));
    this.kick();
    return n;
  }

  /** Whether any configured webhook wants `event` (callers skip building its data otherwise). */
  anyWants(event: string): boolean {
    return this.deps.config.webhooks.some((h) => wants(h, event));
  }

  /**
   * Queues `event` inside the caller's transaction (a transactional outbox: the change and its
   * notification commit together, so a crash between them loses neither). Call `kick()` after
   * the commit to send at once; otherwise the next poll sends it.
   */
  async enqueueInTransaction(
    trx: Transaction<Database>,
    event: string,
    data: unknown,
  ): Promise<number> {
    if (!this.anyWants(event)) return 0;
    return this.insertDeliveries(trx.withTables<EngineTables>(), event, data);
  }

  private async insertDeliveries(
    trx: Transaction<EngineDatabase>,
    event: string,
    data: unknown,
  ): Promise<number> {
    const hooks = this.deps.config.webhooks.filter((h) => wants(h, event));
    if (hooks.length === 0) return 0;
    const now = this.now();
    for (const hook of hooks) {
      const body = JSON.stringify({
        id: newEventId(),
        event,
        createdAt: new Date(now).toISOString(),
        data,
      });
      await trx
        .insertInto('notification_outbox')
        .values({
          webhook_url: hook.url,
          event,
          body_json: body,
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          created_at: now,
          delivered_at: null,
          last_error: null,
        })
        .execute();
    }
    // Bounded: beyond queueMax waiting deliveries, the oldest are dropped.
    const pending = await trx
      .selectFrom('notification_outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    const excess = Number(pending.n) - this.deps.config.queueMax;
    if (excess > 0) {
      const oldest = await trx
        .selectFrom('notification_outbox')
        .select('id')
        .where('status', '=', 'pending')
        .orderBy('id', 'asc')
        .limit(excess)
        .execute();
      await trx
        .updateTable('notification_outbox')
        .set({ status: 'dropped', last_error: 'queue full' })
        .where(
          'id',
          'in',
          oldest.map((r) => r.id),
        )
        .execute();
      this.counters.dropped += oldest.length;
      this.deps.log.error(
        { dropped: oldest.length, queueMax: this.deps.config.queueMax },
        'notification queue full: oldest deliveries dropped',
      );
    }
    this.counters.enqueued += hooks.length;
    return hooks.length;
  }

  stats(): NotifierStats {
    return { ...this.counters };
  }

  /** Runs a delivery pass now (or right after the current one). */
  kick(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump()
      .catch((err: unknown) => this.deps.log.error({ err }, 'notification pass failed'))
      .finally(() => {
        this.pumping = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async pump(): Promise<void> {
    for (let round = 0; round < 100 && !this.closed; round++) {
      const now = this.now();
      const due = await this.db
        .selectFrom('notification_outbox')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at', 'asc')
        .limit(this.deps.config.concurrency)
        .execute();
      if (due.length === 0) {
        this.armForNext(now);
        return;
      }
      const mine = await this.claim(due, now);
      await Promise.all(mine.map((row) => this.deliver(row)));
    }
  }

  /**
   * Several hubs poll one outbox (issue 11): each due row is claimed with a conditional UPDATE that
   * moves its next attempt past a lease, so exactly one hub sends it; a hub that dies mid-delivery
   * leaves it to be retried when the lease runs out (receivers de-duplicate on X-Anxin-Delivery).
   */
  private async claim<R extends { id: number; next_attempt_at: number }>(
    due: R[],
    now: number,
  ): Promise<R[]> {
    const until = now + this.deps.config.timeoutMs + CLAIM_MARGIN_MS;
    const mine: R[] = [];
    for (const row of due) {
      const r = await this.db
        .updateTable('notification_outbox')
        .set({ next_attempt_at: until })
        .where('id', '=', row.id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '=', row.next_attempt_at)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1) mine.push(row);
    }
    return mine;
  }

  /** A timer for the earliest retry sooner than the next poll keeps back-off delays exact. */
  private armForNext(now: number): void {
    void this.db
      .selectFrom('notification_outbox')
      .select((eb) => eb.fn.min('next_attempt_at').as('next'))
      .where('status', '=', 'pending')
      .executeTakeFirst()
      .then((r) => {
        const next = r?.next === null || r?.next === undefined ? undefined : Number(r.next);
        if (next === undefined || this.closed) return;
        const wait = next - now;
        if (wait < this.deps.config.pollIntervalMs) {
          const t = setTimeout(() => this.kick(), Math.max(0, wait));
          t.unref();
        }
      })
      .catch((err: unknown) => this.deps.log.warn({ err }, 'notification timer not armed'));
  }

  private async deliver(row: {
    id: number;
    webhook_url: string;
    event: string;
    body_json: string;
    attempts: number;
  }): Promise<void> {
    const hook = this.deps.config.webhooks.find((h) => h.url === row.webhook_url);
    if (!hook) {
      await this.finish(row.id, 'failed', row.attempts, 'webhook no longer configured');
      this.counters.failed += 1;
      return;
    }
    const attempts = row.attempts + 1;
    let error: string | undefined;
    try {
      const ts = Math.floor(this.now() / 1000);
      const deliveryId = (JSON.parse(row.body_json) as { id?: string }).id ?? String(row.id);
      const res = await fetch(hook.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.deps.config.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'anxin-hub-webhook/1',
          [EVENT_HEADER]: row.event,
          [DELIVERY_HEADER]: deliveryId,
          [TIMESTAMP_HEADER]: String(ts),
          [SIGNATURE_HEADER]: signBody(hook.secret, ts, row.body_json),
        },
        body: row.body_json,
      });
      // Read (and discard) the answer so the connection can be reused.
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    if (error === undefined) {
      await this.finish(row.id, 'delivered', attempts, null);
      this.counters.delivered += 1;
      return;
    }
    if (attempts >= this.deps.config.maxAttempts) {
      await this.finish(row.id, 'failed', attempts, error);
      this.counters.failed += 1;
      this.deps.log.error(
        { id: row.id, url: hook.url, event: row.event, attempts, error },
        'webhook delivery failed for good',
      );
      return;
    }
    const delay = backoffMs(attempts, this.deps.config.retryMinMs, this.deps.config.retryMaxMs);
    await this.db
      .updateTable('notification_outbox')
      .set({ attempts, next_attempt_at: this.now() + delay, last_error: error })
      .where('id', '=', row.id)
      .execute();
    this.counters.retried += 1;
    this.deps.log.warn(
      { id: row.id, url: hook.url, event: row.event, attempts, error, retryInMs: delay },
      'webhook delivery failed: will retry',
    );
  }

  private async finish(
    id: number,
    status: 'delivered' | 'failed',
    attempts: number,
    error: string | null,
  ): Promise<void> {
    await this.db
      .updateTable('notification_outbox')
      .set({
        status,
        attempts,
        last_error: error,
        delivered_at: status === 'delivered' ? this.now() : null,
      })
      .where('id', '=', id)
      .execute();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.pumping;
  }
}
