/**
 * Writes an import plan in ONE transaction (all rows or none), upserting on the stable keys so a
 * second import of the same file updates instead of duplicating: homes and residents on their id
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

/** Who imports, and the hub's calendar (what a blank start day means). */
export interface ApplyContext {
  actor: OpsActor;
  today: string;
  timeZone: string;
}

const SLICE = 400;

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

export async function applyImport(
  db: Kysely<Database>,
  plan: ImportPlan,
  now: number,
  ctx: ApplyContext,
): Promise<void> {
  const homes: HomeRecord[] = [];
  const residents: ResidentRecord[] = [];
  const contacts: ContactRecord[] = [];
  const plans: { value: WelfarePlanRecord; resolved: ResolvedPlan }[] = [];
  for (const { record, plan: resolved } of plan.accepted) {
    if (record.kind === 'homes') homes.push(record.value);
    else if (record.kind === 'residents') residents.push(record.value);
    else if (record.kind === 'contacts') contacts.push(record.value);
    else if (resolved) plans.push({ value: record.value, resolved });
  }
  await db.transaction().execute(async (trx) => {
    await writeHomes(trx, homes, now);
    await writeResidents(trx, residents, now);
    await writeContacts(trx, contacts);
    await writePlans(trx, plans, now, ctx);
  });
}
