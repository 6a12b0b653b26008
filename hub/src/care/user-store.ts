/**
 * SQL access for users as the care model sees them: the DTO with their scope (areas, residents,
 * homes they install), and changes to role, password or scope. A change that alters what a user
 * may do ends their sessions.
 */
import type { Kysely } from 'kysely';
import type { CareUserDto, UserRole } from '@anxin/protocol';
import type { Database, UserRow } from '../store/schema.js';
import { iso } from './rows.js';
import './tables.js';

export class UserStore {
  constructor(private readonly db: Kysely<Database>) {}

  async careUser(row: UserRow): Promise<CareUserDto> {
    const [areas, residents, homes] = await Promise.all([
      this.db.selectFrom('user_areas').select('area_id').where('user_id', '=', row.id).execute(),
      this.db
        .selectFrom('user_residents')
        .select('resident_id')
        .where('user_id', '=', row.id)
        .execute(),
      this.db
        .selectFrom('home_installers')
        .select('home_id')
        .where('user_id', '=', row.id)
        .execute(),
    ]);
    return {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      role: row.role as UserRole,
      areaIds: areas.map((a) => a.area_id).sort(),
      residentIds: residents.map((r) => r.resident_id).sort(),
      homeIds: homes.map((h) => h.home_id).sort(),
      disabled: row.disabled === 1,
      createdAt: iso(row.created_at),
    };
  }

  async userRowByUsername(username: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
  }

  /** Area ids an installer may register homes in (their areas with subtrees). */
  async userAreaIds(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('user_areas')
      .select('area_id')
      .where('user_id', '=', userId)
      .execute();
    return rows.map((r) => r.area_id);
  }

  async userRow(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async listUsers(role?: UserRole): Promise<CareUserDto[]> {
    let q = this.db.selectFrom('users').selectAll();
    if (role) q = q.where('role', '=', role);
    const rows = await q.orderBy('username').execute();
    return Promise.all(rows.map((r) => this.careUser(r)));
  }

  async setUserScope(userId: string, areaIds?: string[], residentIds?: string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (areaIds) {
        await trx.deleteFrom('user_areas').where('user_id', '=', userId).execute();
        for (const areaId of new Set(areaIds))
          await trx.insertInto('user_areas').values({ user_id: userId, area_id: areaId }).execute();
      }
      if (residentIds) {
        await trx.deleteFrom('user_residents').where('user_id', '=', userId).execute();
        for (const residentId of new Set(residentIds))
          await trx
            .insertInto('user_residents')
            .values({ user_id: userId, resident_id: residentId })
            .execute();
      }
    });
  }

  async updateUserRow(
    id: string,
    set: { display_name?: string; role?: UserRole; password_hash?: string; disabled?: number },
  ): Promise<void> {
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('users').set(set).where('id', '=', id).execute();
    if (set.disabled === 1 || set.password_hash !== undefined || set.role !== undefined)
      await this.db.deleteFrom('sessions').where('user_id', '=', id).execute();
  }
}
