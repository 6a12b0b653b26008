/**
 * What service requests and work orders share: assignment, status changes and notes, each one
 * conditional UPDATE in a transaction with its audit entry and its webhook (transactional outbox).
 */
import type { Kysely, Transaction } from 'kysely';
import type { AssigneeDto, NoteDto, TaskStatus, TaskStatusChange, UserDto } from '@anxin/protocol';
import type { Database } from '../store/schema.js';
import { assignTransition, statusTransition, type Transition } from './lifecycle.js';
import './tables.js';

export type TaskTable = 'service_requests' | 'work_orders';
export type NoteTarget = 'service_request' | 'work_order';

/** Who acts: a user, or the hub itself (device requests, supervision orders). */
export type OpsActor = Pick<UserDto, 'id' | 'username' | 'displayName'> | null;

/** The notifier's transactional side (hub/src/notify/notifier.ts). */
export interface OpsOutbox {
  enqueueInTransaction(trx: Transaction<Database>, event: string, data: unknown): Promise<number>;
  kick(): void;
}

export type TaskResult<T> =
  | { ok: true; value: T; changed: boolean }
  | { ok: false; reason: 'not_found' | 'conflict'; code?: string; message: string };

export async function auditIn(
  trx: Transaction<Database>,
  actor: OpsActor,
  action: string,
  targetType: string,
  targetId: string,
  detail: Record<string, unknown>,
  now: number,
): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      at: now,
      user_id: actor?.id ?? null,
      username: actor?.username ?? 'system',
      action,
      target_type: targetType,
      target_id: targetId,
      detail_json: JSON.stringify(detail),
    })
    .execute();
}

export async function insertNote(
  trx: Transaction<Database>,
  target: NoteTarget,
  targetId: string,
  actor: OpsActor,
  text: string,
  familyVisible: boolean,
  now: number,
): Promise<void> {
  await trx
    .insertInto('operation_notes')
    .values({
      target_type: target,
      target_id: targetId,
      at: now,
      user_id: actor?.id ?? null,
      author: actor?.displayName ?? 'system',
      text,
      family_visible: familyVisible ? 1 : 0,
    })
    .execute();
}

/** Notes of many records, oldest first, by record id. */
export async function loadNotes(
  db: Kysely<Database> | Transaction<Database>,
  target: NoteTarget,
  ids: string[],
): Promise<Map<string, NoteDto[]>> {
  const out = new Map<string, NoteDto[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('operation_notes')
      .selectAll()
      .where('target_type', '=', target)
      .where('target_id', 'in', ids.slice(i, i + 500))
      .orderBy('at')
      .orderBy('id')
      .execute();
    for (const r of rows) {
      const list = out.get(r.target_id) ?? [];
      list.push({
        id: r.id,
        at: new Date(r.at).toISOString(),
        userId: r.user_id,
        by: r.author,
        text: r.text,
        familyVisible: r.family_visible === 1,
      });
      out.set(r.target_id, list);
    }
  }
  return out;
}

export function assigneeOf(r: {
  assignee_user_id: string | null;
  assignee_name: string | null;
  assignee_phone: string | null;
}): AssigneeDto | null {
  if (r.assignee_user_id === null && r.assignee_name === null) return null;
  return { userId: r.assignee_user_id, name: r.assignee_name ?? '', phone: r.assignee_phone };
}

const NOTE_TARGET: Record<TaskTable, NoteTarget> = {
  service_requests: 'service_request',
  work_orders: 'work_order',
};

interface Change {
  kind: 'assign' | 'status' | 'note';
  assignee?: AssigneeDto;
  status?: TaskStatusChange;
  outcome?: string;
  note?: string;
  familyVisible?: boolean;
}

/**
 * Applies one change to a task in its own transaction: reads the status, checks the transition,
 * updates only if the status is still the one read, writes the note, the audit entry and the
 * webhook event (`<resource>.assigned`, `.in_progress`, `.done`, `.cancelled`, `.note`) whose data
 * is the record as `render` builds it inside the same transaction.
 */
export async function changeTask<T>(
  db: Kysely<Database>,
  outbox: OpsOutbox | null,
  table: TaskTable,
  id: string,
  change: Change,
  actor: OpsActor,
  now: number,
  render: (trx: Transaction<Database>, id: string) => Promise<T>,
): Promise<TaskResult<T>> {
  const target = NOTE_TARGET[table];
  const result = await db.transaction().execute(async (trx): Promise<TaskResult<T>> => {
    const row = await trx
      .selectFrom(table)
      .select(['status'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return { ok: false, reason: 'not_found', message: `${target} ${id} not found` };
    const from = row.status as TaskStatus;
    let t: Transition = { ok: true, to: from };
    if (change.kind === 'assign') t = assignTransition(from);
    if (change.kind === 'status' && change.status) t = statusTransition(from, change.status);
    if (!t.ok) return { ok: false, reason: 'conflict', code: t.code, message: t.message };
    const to = t.to;
    if (change.kind === 'assign' && change.assignee) {
      const a = change.assignee;
      const done = await trx
        .updateTable(table)
        .set({
          status: to,
          assignee_user_id: a.userId,
          assignee_name: a.name,
          assignee_phone: a.phone,
          assigned_at: now,
          updated_at: now,
        })
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0)
        return { ok: false, reason: 'conflict', code: 'CHANGED', message: 'changed meanwhile' };
    }
    if (change.kind === 'status') {
      if (to === from && change.note === undefined) {
        return { ok: true, value: await render(trx, id), changed: false };
      }
      const closing = to === 'done' || to === 'cancelled';
      const done = await trx
        .updateTable(table)
        .set({
          status: to,
          updated_at: now,
          ...(to === 'in_progress' && from !== 'in_progress' ? { started_at: now } : {}),
          ...(closing ? { closed_at: now, outcome: change.outcome ?? null } : {}),
          // A closed maintenance order frees its device for the next one (work_orders only).
          ...(closing && table === 'work_orders' ? { dedup_key: null } : {}),
        })
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0)
        return { ok: false, reason: 'conflict', code: 'CHANGED', message: 'changed meanwhile' };
    }
    if (change.kind === 'note') {
      await trx.updateTable(table).set({ updated_at: now }).where('id', '=', id).execute();
    }
    if (change.note !== undefined && change.note.trim() !== '')
      await insertNote(trx, target, id, actor, change.note, change.familyVisible ?? false, now);
    const event =
      change.kind === 'assign' ? 'assigned' : change.kind === 'note' ? 'note' : (to as string);
    await auditIn(
      trx,
      actor,
      `${target}.${event}`,
      target,
      id,
      {
        from,
        to,
        ...(change.assignee ? { assignee: change.assignee } : {}),
        ...(change.outcome ? { outcome: change.outcome } : {}),
      },
      now,
    );
    const value = await render(trx, id);
    await outbox?.enqueueInTransaction(trx, `${target}.${event}`, value);
    return { ok: true, value, changed: true };
  });
  if (result.ok && result.changed) outbox?.kick();
  return result;
}
