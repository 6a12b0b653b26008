/**
 * Writes an import plan that was validated as a whole first (import-service.ts: one invalid row and
 * nothing is written), in chunks of CHUNK rows, each in its own short transaction that also
 * advances the import job (import-jobs.ts), yielding to the event loop between chunks so the
 * alarm lane's transactions interleave instead of waiting for 20,000 homes. It upserts on the
 * stable keys so a second import, or the re-run that completes an interrupted one, updates
 * instead of duplicating: homes and residents on their id
 * (= the file's code), contacts on (home, call order), welfare plans on (resident, kind) through
 * the same createPlanIn / updatePlanIn the REST routes use (first check, reschedule, audit). Portable SQL (Kysely, ON CONFLICT), in
 * slices that stay under SQLite's bound-parameter limit.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.js';
import '../care/tables.js';
import type { OpsActor } from '../operations/tasks.js';
import { createPlanIn, updatePlanIn } from '../operations/welfare-plans.js';
import type {
  ContactRecord,
  HomeRecord,
  ResidentRecord,
  WelfarePlanRecord,
} from './import-rows.js';
import { contactKey, type ImportPlan, type ResolvedPlan } from './import-plan.js';
import { advanceImportJob } from './import-jobs.js';

/** Who imports, and the hub's calendar (what a blank start day means). */
export interface ApplyContext {
  actor: OpsActor;
  today: string;
  timeZone: string;
}

/** Where a chunked write stands: its job, and the rows the job already committed. */
export interface ApplyJob {
  id: string;
  rowsDone: number;
  /** Called after each chunk's commit (tests use it to interrupt or to interleave). */
  afterChunk?: (rowsDone: number) => Promise<void> | void;
  /** Runs first in each chunk's transaction (the import lease's renewal; throws to roll back). */
  inChunk?: (trx: Transaction<Database>) => Promise<void>;
}

const SLICE = 400;
/** Rows per transaction: short enough that an alarm batch waits for one chunk at most. */
export const IMPORT_CHUNK = 250;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function slices<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += SLICE) out.push(items.slice(i, i + SLICE));
  return out;
}

async function writeHomes(trx: Transaction<Database>, homes: HomeRecord[], now: number) {
  for (const part of slices(homes)) {
    await trx
      .insertInto('homes')
      .values(
        part.map((h) => ({
          id: h.id,
          area_id: h.areaId,
          address: h.address,
          floor: h.floor,
          room: h.room,
          access_notes: h.accessNotes,
          key_safe_code: h.keySafeCode,
          test_mode_since: null,
          created_at: now,
          updated_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          area_id: eb.ref('excluded.area_id'),
          address: eb.ref('excluded.address'),
          floor: eb.ref('excluded.floor'),
          room: eb.ref('excluded.room'),
          access_notes: eb.ref('excluded.access_notes'),
          key_safe_code: eb.ref('excluded.key_safe_code'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

async function writeResidents(
  trx: Transaction<Database>,
  residents: ResidentRecord[],
  now: number,
) {
  for (const part of slices(residents)) {
    await trx
      .insertInto('residents')
      .values(
        part.map((r) => ({
          id: r.id,
          home_id: r.homeId,
          name: r.name,
          photo_url: null,
          birth_year: r.birthYear,
          languages_json: JSON.stringify(r.languages),
          medical_notes: r.medicalNotes,
          mobility: r.mobility,
          lives_alone: r.livesAlone ? 1 : 0,
          created_at: now,
          updated_at: now,
        })),
      )
      // The photo is not in the file: an update keeps it.
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          home_id: eb.ref('excluded.home_id'),
          name: eb.ref('excluded.name'),
          birth_year: eb.ref('excluded.birth_year'),
          languages_json: eb.ref('excluded.languages_json'),
          medical_notes: eb.ref('excluded.medical_notes'),
          mobility: eb.ref('excluded.mobility'),
          lives_alone: eb.ref('excluded.lives_alone'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

/**
 * Contacts have no unique key in SQL (call order may be reshuffled by the REST replace), so the
 * update path looks the (home, order) pairs up inside the transaction and updates by id; the
 * family member linked to a contact (user_id) stays linked.
 */
async function writeContacts(trx: Transaction<Database>, contacts: ContactRecord[]) {
  const homeIds = [...new Set(contacts.map((c) => c.homeId))];
  const existing = new Map<string, string>();
  for (const part of slices(homeIds)) {
    const rows = await trx
      .selectFrom('contacts')
      .select(['id', 'home_id', 'call_order'])
      .where('home_id', 'in', part)
      .execute();
    for (const r of rows) existing.set(contactKey(r.home_id, Number(r.call_order)), r.id);
  }
  const inserts: ContactRecord[] = [];
  for (const c of contacts) {
    const id = existing.get(contactKey(c.homeId, c.callOrder));
    if (id === undefined) {
      inserts.push(c);
      continue;
    }
    await trx
      .updateTable('contacts')
      .set({ name: c.name, relation: c.relation, phone: c.phone, availability: c.availability })
      .where('id', '=', id)
      .execute();
  }
  for (const part of slices(inserts)) {
    await trx
      .insertInto('contacts')
      .values(
        part.map((c) => ({
          id: randomUUID(),
          home_id: c.homeId,
          call_order: c.callOrder,
          name: c.name,
          relation: c.relation,
          phone: c.phone,
          availability: c.availability,
          user_id: null,
        })),
      )
      .execute();
  }
}

/** One plan at a time: each has its own first check and audit entry, as a REST create has. */
async function writePlans(
  trx: Transaction<Database>,
  plans: { value: WelfarePlanRecord; resolved: ResolvedPlan }[],
  now: number,
  ctx: ApplyContext,
) {
  for (const { value: p, resolved } of plans) {
    if (resolved.planId !== null) {
      await updatePlanIn(
        trx,
        resolved.planId,
        {
          cadence: p.cadence,
          count: p.count,
          ...(p.startDay !== null ? { startDay: p.startDay } : {}),
          active: p.active,
          assigneeUserId: resolved.assigneeUserId,
          notes: p.notes,
        },
        ctx.actor,
        now,
        ctx.timeZone,
      );
      continue;
    }
    await createPlanIn(
      trx,
      {
        residentId: p.residentId,
        homeId: resolved.homeId,
        kind: p.kind,
        cadence: p.cadence,
        count: p.count,
        startDay: p.startDay ?? ctx.today,
        assigneeUserId: resolved.assigneeUserId,
        notes: p.notes,
        active: p.active,
      },
      ctx.actor,
      now,
    );
  }
}

/** Writes one chunk (one kind: a file holds one kind of record). */
async function writeChunk(
  trx: Transaction<Database>,
  chunk: ImportPlan['accepted'],
  now: number,
  ctx: ApplyContext,
) {
  const homes: HomeRecord[] = [];
  const residents: ResidentRecord[] = [];
  const contacts: ContactRecord[] = [];
  const plans: { value: WelfarePlanRecord; resolved: ResolvedPlan }[] = [];
  for (const { record, plan: resolved } of chunk) {
    if (record.kind === 'homes') homes.push(record.value);
    else if (record.kind === 'residents') residents.push(record.value);
    else if (record.kind === 'contacts') contacts.push(record.value);
    else if (resolved) plans.push({ value: record.value, resolved });
  }
  await writeHomes(trx, homes, now);
  await writeResidents(trx, residents, now);
  await writeContacts(trx, contacts);
  await writePlans(trx, plans, now, ctx);
}

/**
 * Writes the accepted rows after `job.rowsDone`, chunk by chunk. Returns the rows written now.
 * A failure leaves the committed chunks and the job's count of them; re-running completes it.
 */
export async function applyImport(
  db: Kysely<Database>,
  plan: ImportPlan,
  now: number,
  ctx: ApplyContext,
  job: ApplyJob,
): Promise<number> {
  const rows = plan.accepted;
  let done = job.rowsDone;
  while (done < rows.length) {
    const end = Math.min(done + IMPORT_CHUNK, rows.length);
    const chunk = rows.slice(done, end);
    await db.transaction().execute(async (trx) => {
      await job.inChunk?.(trx);
      await writeChunk(trx, chunk, now, ctx);
      await advanceImportJob(trx, job.id, end, now);
    });
    done = end;
    await job.afterChunk?.(done);
    // Let alarm batches (and every other request) that arrived during the chunk run first.
    await yieldToEventLoop();
  }
  return done - job.rowsDone;
}
