/**
 * SQL access for homes: the record, the scoped listing with its search, test mode (which the home's
 * gateways carry too) and the installers assigned to it. No access checks: routes check scope.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type {
  CreateHomeRequest,
  HomeDto,
  HomeSummaryDto,
  UpdateHomeRequest,
} from '@anxin/protocol';
import type { Scope } from '../auth/scope.js';
import type { Database } from '../store/schema.js';
import { iso, isoOrNull } from './rows.js';
import './tables.js';

export class HomeStore {
  constructor(private readonly db: Kysely<Database>) {}

  async homeExists(id: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('homes')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    return r !== undefined;
  }

  async getHome(id: string, showKeySafeCode: boolean): Promise<HomeDto | undefined> {
    const r = await this.db.selectFrom('homes').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    const installers = await this.db
      .selectFrom('home_installers')
      .select('user_id')
      .where('home_id', '=', id)
      .execute();
    const gateways = await this.db
      .selectFrom('gateways')
      .select('id')
      .where('home_id', '=', id)
      .where('enabled', '=', 1)
      .orderBy('id')
      .execute();
    return {
      id: r.id,
      areaId: r.area_id,
      address: r.address,
      floor: r.floor,
      room: r.room,
      accessNotes: r.access_notes,
      hasKeySafeCode: r.key_safe_code !== null && r.key_safe_code !== '',
      ...(showKeySafeCode ? { keySafeCode: r.key_safe_code } : {}),
      testMode: r.test_mode === 1,
      testModeSince: isoOrNull(r.test_mode_since),
      installerIds: installers.map((i) => i.user_id),
      gatewayIds: gateways.map((g) => g.id),
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
    };
  }

  async listHomes(
    scope: Scope,
    filter: { areaIds?: ReadonlySet<string>; q?: string; limit: number; offset: number },
  ): Promise<{ homes: HomeSummaryDto[]; total: number }> {
    let query = this.db.selectFrom('homes');
    if (scope.kind === 'areas') query = query.where('homes.area_id', 'in', [...scope.areaIds, '']);
    if (scope.kind === 'homes') query = query.where('homes.id', 'in', [...scope.homeIds, '']);
    if (filter.areaIds) query = query.where('homes.area_id', 'in', [...filter.areaIds, '']);
    if (filter.q) {
      const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['homes.address']), 'like', sql<string>`${like} escape '\\'`),
          eb.exists(
            eb
              .selectFrom('residents')
              .select('residents.id')
              .whereRef('residents.home_id', '=', 'homes.id')
              .where(sql<string>`lower(residents.name)`, 'like', sql<string>`${like} escape '\\'`),
          ),
        ]),
      );
    }
    const total = await query
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const rows = await query
      .selectAll('homes')
      .orderBy('homes.id')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute();
    const ids = rows.map((r) => r.id);
    const [residents, gateways, alarms] = ids.length
      ? await Promise.all([
          this.db
            .selectFrom('residents')
            .select(['id', 'home_id', 'name'])
            .where('home_id', 'in', ids)
            .orderBy('name')
            .execute(),
          this.db
            .selectFrom('gateways')
            .select(['id', 'home_id'])
            .where('home_id', 'in', ids)
            .where('enabled', '=', 1)
            .execute(),
          this.db
            .selectFrom('alarms')
            .select(['home_id', (eb) => eb.fn.countAll<number>().as('n')])
            .where('home_id', 'in', ids)
            .where('status', '!=', 'resolved')
            .groupBy('home_id')
            .execute(),
        ])
      : [[], [], []];
    const residentIdsAllowed = scope.kind === 'homes' ? scope.residentIds : undefined;
    return {
      total: Number(total.n),
      homes: rows.map((r) => ({
        id: r.id,
        areaId: r.area_id,
        address: r.address,
        floor: r.floor,
        room: r.room,
        testMode: r.test_mode === 1,
        residentNames: residents
          .filter(
            (x) => x.home_id === r.id && (!residentIdsAllowed || residentIdsAllowed.has(x.id)),
          )
          .map((x) => x.name),
        gatewayIds: gateways.filter((g) => g.home_id === r.id).map((g) => g.id),
        unresolvedAlarms: Number(alarms.find((a) => a.home_id === r.id)?.n ?? 0),
      })),
    };
  }

  async createHome(input: CreateHomeRequest, now: number): Promise<string> {
    const id = input.id ?? randomUUID();
    await this.db
      .insertInto('homes')
      .values({
        id,
        area_id: input.areaId,
        address: input.address,
        floor: input.floor ?? null,
        room: input.room ?? null,
        access_notes: input.accessNotes ?? null,
        key_safe_code: input.keySafeCode ?? null,
        test_mode_since: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  }

  async updateHome(id: string, input: UpdateHomeRequest, now: number): Promise<void> {
    await this.db
      .updateTable('homes')
      .set({
        ...(input.areaId !== undefined ? { area_id: input.areaId } : {}),
        ...(input.address !== undefined ? { address: input.address } : {}),
        ...(input.floor !== undefined ? { floor: input.floor } : {}),
        ...(input.room !== undefined ? { room: input.room } : {}),
        ...(input.accessNotes !== undefined ? { access_notes: input.accessNotes } : {}),
        ...(input.keySafeCode !== undefined ? { key_safe_code: input.keySafeCode } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  /** Home and its gateways together: the ingest marks alarms as tests by the gateway's flag. */
  async setTestMode(id: string, enabled: boolean, now: number): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('homes')
        .set({ test_mode: enabled ? 1 : 0, test_mode_since: enabled ? now : null, updated_at: now })
        .where('id', '=', id)
        .execute();
      await trx
        .updateTable('gateways')
        .set({ test_mode: enabled ? 1 : 0 })
        .where('home_id', '=', id)
        .execute();
      const gws = await trx
        .selectFrom('gateways')
        .select('id')
        .where('home_id', '=', id)
        .where('enabled', '=', 1)
        .execute();
      return gws.map((g) => g.id);
    });
  }

  async setInstallers(homeId: string, userIds: string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('home_installers').where('home_id', '=', homeId).execute();
      for (const userId of new Set(userIds))
        await trx
          .insertInto('home_installers')
          .values({ home_id: homeId, user_id: userId })
          .execute();
    });
  }

  async addInstaller(homeId: string, userId: string): Promise<void> {
    await this.db
      .insertInto('home_installers')
      .values({ home_id: homeId, user_id: userId })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}
