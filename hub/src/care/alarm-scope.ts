/**
 * Alarms as each user may see them: queue lists filtered by scope in SQL (an operator's areas, a
 * family member's relatives' homes), the alarm's resident, and who said "I am going there".
 */
import { sql, type Kysely } from 'kysely';
import {
  compareAlarmsForQueue,
  type AlarmDto,
  type AlarmResponderDto,
  type AlarmStatus,
  type UserRole,
} from '@anxin/protocol';
import { alarmRowToDto } from '../store/alarms.js';
import type { Database } from '../store/schema.js';
import type { Scope } from '../auth/scope.js';
import { isUnresolvedSet, statusIn } from '../alarms/status-filter.js';
import './tables.js';

export class ScopedAlarms {
  constructor(private readonly db: Kysely<Database>) {}

  /** Alarms in scope with these statuses, in queue order (priority, then oldest). */
  async list(scope: Scope, statuses: AlarmStatus[], limit: number): Promise<AlarmDto[]> {
    let q = this.db
      .selectFrom('alarms')
      .selectAll('alarms')
      .where(statusIn('alarms.status', statuses));
    // The queue (unresolved alarms) is read through its partial index (alarms/status-filter.ts).
    // Given a plain `home_id IN (…)` the planner would rather take alarms_home and walk every
    // alarm those homes ever had; `home_id || ''` is the same value but no index term.
    const home = isUnresolvedSet(statuses)
      ? sql<string>`${sql.ref('alarms.home_id')} || ''`
      : sql<string>`${sql.ref('alarms.home_id')}`;
    if (scope.kind === 'homes') q = q.where(home, 'in', [...scope.homeIds, '']);
    if (scope.kind === 'areas')
      q = q.where((eb) =>
        eb(
          home,
          'in',
          eb
            .selectFrom('homes')
            .select('homes.id')
            .where('homes.area_id', 'in', [...scope.areaIds, '']),
        ),
      );
    const rows = await q
      .orderBy('alarms.priority')
      .orderBy('alarms.raised_at')
      .orderBy('alarms.id')
      .limit(limit)
      .execute();
    const alarms = rows.map((r) => ({ ...alarmRowToDto(r), residentId: r.resident_id }));
    await this.attachSoleResidents(alarms);
    await this.attachResponders(alarms);
    return alarms.sort(compareAlarmsForQueue);
  }

  async residentOf(alarmId: string): Promise<string | null> {
    const r = await this.db
      .selectFrom('alarms')
      .select('resident_id')
      .where('id', '=', alarmId)
      .executeTakeFirst();
    return r?.resident_id ?? null;
  }

  /** Adds residentId and responders to an alarm. */
  async enrich(alarm: AlarmDto): Promise<AlarmDto> {
    const [out] = await this.enrichMany([alarm]);
    return out ?? alarm;
  }

  /**
   * THE place an AlarmDto gets its care-model fields (residentId, responders): REST answers and
   * Socket.IO pushes go through here, so a console sees the same alarm whichever way it came. One
   * exception, kept equal by alarm-push-fields.test.ts: a device's new alarm is pushed with the
   * fields its writer derived from the same tables inside its transaction (the device's resident,
   * else the home's sole one; nobody on the way yet), with no read between commit and push.
   * New objects (the inputs are left as they were), in the same order; a few queries per batch.
   */
  async enrichMany(alarms: readonly AlarmDto[]): Promise<AlarmDto[]> {
    if (alarms.length === 0) return [];
    const ids = [...new Set(alarms.map((a) => a.id))];
    const recorded = new Map<string, string | null>();
    // SQLite caps bound parameters; a burst of alarms is enriched in slices.
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('alarms')
        .select(['id', 'resident_id'])
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of rows) recorded.set(r.id, r.resident_id);
    }
    const out = alarms.map((a) => ({ ...a, residentId: recorded.get(a.id) ?? null }));
    await this.attachSoleResidents(out);
    await this.attachResponders(out);
    return out;
  }

  /**
   * An alarm with no resident recorded, in a home where only one person lives, is about that
   * person; in a shared home it stays null (the console then shows every resident).
   */
  private async attachSoleResidents(alarms: AlarmDto[]): Promise<void> {
    const homeIds = [
      ...new Set(
        alarms
          .filter((a) => !a.residentId && a.homeId !== null)
          .map((a) => a.homeId)
          .filter((h): h is string => h !== null),
      ),
    ];
    if (homeIds.length === 0) return;
    const rows = await this.db
      .selectFrom('residents')
      .select([
        'home_id',
        (eb) => eb.fn.min<string>('id').as('id'),
        (eb) => eb.fn.countAll<number>().as('n'),
      ])
      .where('home_id', 'in', homeIds)
      .groupBy('home_id')
      .execute();
    const sole = new Map(rows.filter((r) => Number(r.n) === 1).map((r) => [r.home_id, r.id]));
    for (const a of alarms)
      if (!a.residentId && a.homeId !== null) a.residentId = sole.get(a.homeId) ?? null;
  }

  private async attachResponders(alarms: AlarmDto[]): Promise<void> {
    if (alarms.length === 0) return;
    const rows = await this.db
      .selectFrom('alarm_responders')
      .innerJoin('users', 'users.id', 'alarm_responders.user_id')
      .select([
        'alarm_responders.alarm_id',
        'alarm_responders.user_id',
        'alarm_responders.at',
        'alarm_responders.eta_minutes',
        'alarm_responders.note',
        'users.username',
        'users.display_name',
        'users.role',
      ])
      .where(
        'alarm_responders.alarm_id',
        'in',
        alarms.map((a) => a.id),
      )
      .orderBy('alarm_responders.at')
      .execute();
    const byAlarm = new Map<string, AlarmResponderDto[]>();
    for (const r of rows) {
      const list = byAlarm.get(r.alarm_id) ?? [];
      list.push({
        userId: r.user_id,
        username: r.username,
        displayName: r.display_name,
        role: r.role as UserRole,
        at: new Date(r.at).toISOString(),
        etaMinutes: r.eta_minutes,
        note: r.note,
      });
      byAlarm.set(r.alarm_id, list);
    }
    for (const a of alarms) a.responders = byAlarm.get(a.id) ?? [];
  }

  /** Records "I am going there" (again: updates the ETA and note). */
  async responding(
    alarmId: string,
    userId: string,
    etaMinutes: number | null,
    note: string | null,
    now: number,
  ): Promise<void> {
    await this.db
      .insertInto('alarm_responders')
      .values({ alarm_id: alarmId, user_id: userId, at: now, eta_minutes: etaMinutes, note })
      .onConflict((oc) =>
        oc.columns(['alarm_id', 'user_id']).doUpdateSet({ at: now, eta_minutes: etaMinutes, note }),
      )
      .execute();
  }
}
