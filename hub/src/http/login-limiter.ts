/**
 * Failed console logins counted in the SQL database (table `login_failures`, migration
 * 0940_multi_hub), so the limit holds across several hubs behind one load balancer (issue 11) and
 * across a restart: an attacker gains nothing by reaching another hub. One upsert per failure (a
 * window that has run out starts again at 1), one read per attempt; rows of windows long gone are
 * swept with the sessions. The key is the client address and the lower-cased username, as in the
 * in-memory LoginRateLimiter (auth.ts) it replaces.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** What Authenticator asks of a login limiter. */
export interface LoginLimiter {
  /** Milliseconds until another attempt is allowed, or 0. */
  blockedFor(ip: string, username: string, now: number): Promise<number> | number;
  fail(ip: string, username: string, now: number): Promise<void> | void;
  succeed(ip: string, username: string): Promise<void> | void;
}

type LoginFailureTables = {
  login_failures: { key: string; window_start: number; count: number; scope: string };
};

export class SqlLoginLimiter implements LoginLimiter {
  private readonly db: Kysely<Database & LoginFailureTables>;

  constructor(
    db: Kysely<Database>,
    private readonly maxFailures: number,
    private readonly windowMs: number,
    /** Another limit on the same table (e.g. 'claim'): its own keys, rows and sweep. */
    private readonly scope = 'login',
  ) {
    this.db = db.withTables<LoginFailureTables>();
  }

  private key(ip: string, username: string): string {
    // JSON, not a NUL separator: PostgreSQL text cannot hold NUL.
    const parts = [ip, username.toLowerCase()];
    // Console logins keep the key they had before scopes (migration 0945).
    return JSON.stringify(this.scope === 'login' ? parts : [this.scope, ...parts]);
  }

  async blockedFor(ip: string, username: string, now: number): Promise<number> {
    const row = await this.db
      .selectFrom('login_failures')
      .select(['window_start', 'count'])
      .where('key', '=', this.key(ip, username))
      .executeTakeFirst();
    if (!row) return 0;
    const start = Number(row.window_start);
    if (now - start >= this.windowMs) return 0;
    return Number(row.count) >= this.maxFailures ? start + this.windowMs - now : 0;
  }

  async fail(ip: string, username: string, now: number): Promise<void> {
    const expired = now - this.windowMs;
    await this.db
      .insertInto('login_failures')
      .values({ key: this.key(ip, username), window_start: now, count: 1, scope: this.scope })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          // Both engines evaluate SET against the row as it was: a stale window restarts at 1.
          count: sql<number>`CASE WHEN login_failures.window_start <= ${expired} THEN 1 ELSE login_failures.count + 1 END`,
          window_start: sql<number>`CASE WHEN login_failures.window_start <= ${expired} THEN ${now} ELSE login_failures.window_start END`,
        }),
      )
      .execute();
  }

  async succeed(ip: string, username: string): Promise<void> {
    await this.db.deleteFrom('login_failures').where('key', '=', this.key(ip, username)).execute();
  }

  /** Forgets this scope's windows that ended. */
  async sweep(now: number): Promise<void> {
    await this.db
      .deleteFrom('login_failures')
      .where('scope', '=', this.scope)
      .where('window_start', '<', now - this.windowMs)
      .execute();
  }
}
