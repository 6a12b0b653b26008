/**
 * The audit log (DESIGN.md, Security): who read a resident's record, who changed what, every
 * refused attempt. One table shared with logins and alarm lifecycle entries; admins query it.
 */
import type { Kysely } from 'kysely';
import {
  parseJson,
  type AuditEntryDto,
  type AuditQuery,
  type JsonValue,
  type UserDto,
} from '@anxin/protocol';
import type { Database } from '../store/schema.js';

export interface AuditRecord {
  user: Pick<UserDto, 'id' | 'username'> | null;
  action: string;
  targetType: string;
  targetId: string | null;
  detail?: JsonValue;
}

export class AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  async record(entry: AuditRecord): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        at: this.now(),
        user_id: entry.user?.id ?? null,
        username: entry.user?.username ?? null,
        action: entry.action,
        target_type: entry.targetType,
        target_id: entry.targetId,
        detail_json: entry.detail === undefined ? null : JSON.stringify(entry.detail),
      })
      .execute();
  }

  /** Newest first; `before` pages by id. */
  async query(q: AuditQuery): Promise<AuditEntryDto[]> {
    let query = this.db.selectFrom('audit_log').selectAll();
    if (q.userId !== undefined) query = query.where('user_id', '=', q.userId);
    if (q.username !== undefined) query = query.where('username', '=', q.username);
    if (q.action !== undefined) query = query.where('action', '=', q.action);
    if (q.targetType !== undefined) query = query.where('target_type', '=', q.targetType);
    if (q.targetId !== undefined) query = query.where('target_id', '=', q.targetId);
    if (q.from !== undefined) query = query.where('at', '>=', Date.parse(q.from));
    if (q.to !== undefined) query = query.where('at', '<', Date.parse(q.to));
    if (q.before !== undefined) query = query.where('id', '<', q.before);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(q.limit ?? 200)
      .execute();
    return rows.map((r) => {
      let detail: JsonValue = null;
      if (r.detail_json !== null) {
        try {
          detail = parseJson(r.detail_json);
        } catch {
          detail = r.detail_json;
        }
      }
      return {
        id: r.id,
        at: new Date(r.at).toISOString(),
        userId: r.user_id,
        username: r.username,
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        detail,
      };
    });
  }
}

/**
 * Audits refusals that repeat (a decommissioned gateway reconnecting with backoff) at most once
 * per key and interval, so the log records the attempt without being flooded by it. Bounded.
 */
export class ThrottledAudit {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly audit: AuditLog,
    private readonly intervalMs = 3_600_000,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns whether the entry was written (false: a recent one for the same key exists). */
  async record(key: string, entry: AuditRecord): Promise<boolean> {
    const t = this.now();
    const prev = this.last.get(key);
    if (prev !== undefined && t - prev < this.intervalMs) return false;
    this.last.delete(key);
    if (this.last.size >= this.maxKeys) {
      const oldest = this.last.keys().next();
      if (!oldest.done) this.last.delete(oldest.value);
    }
    this.last.set(key, t);
    await this.audit.record(entry);
    return true;
  }
}
