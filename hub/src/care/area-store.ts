/** SQL access for areas (district → street → community), mapped to `AreaDto`. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AreaDto, AreaKind } from '@anxin/protocol';
import type { Database } from '../store/schema.js';
import './tables.js';

export class AreaStore {
  constructor(private readonly db: Kysely<Database>) {}

  async listAreas(): Promise<AreaDto[]> {
    const rows = await this.db.selectFrom('areas').selectAll().orderBy('name').execute();
    return rows.map((r) => ({
      id: r.id,
      parentId: r.parent_id,
      kind: r.kind as AreaKind,
      name: r.name,
    }));
  }

  async getArea(id: string): Promise<AreaDto | undefined> {
    const r = await this.db.selectFrom('areas').selectAll().where('id', '=', id).executeTakeFirst();
    return r && { id: r.id, parentId: r.parent_id, kind: r.kind as AreaKind, name: r.name };
  }

  async createArea(
    input: { id?: string; parentId: string | null; kind: AreaKind; name: string },
    now: number,
  ): Promise<AreaDto> {
    const id = input.id ?? randomUUID();
    await this.db
      .insertInto('areas')
      .values({
        id,
        parent_id: input.parentId,
        kind: input.kind,
        name: input.name,
        created_at: now,
      })
      .execute();
    return { id, parentId: input.parentId, kind: input.kind, name: input.name };
  }

  async renameArea(id: string, name: string): Promise<void> {
    await this.db.updateTable('areas').set({ name }).where('id', '=', id).execute();
  }
}
