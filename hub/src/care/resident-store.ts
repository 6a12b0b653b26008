/**
 * SQL access for residents. Deleting one detaches it from its alarms through the alarm owner
 * (alarms/writes.ts) and drops family links to it, in one transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type {
  CreateResidentRequest,
  Mobility,
  ResidentDto,
  UpdateResidentRequest,
} from '@anxin/protocol';
import { detachResidentFromAlarms } from '../alarms/writes.js';
import type { Database } from '../store/schema.js';
import { iso, parseJson } from './rows.js';
import './tables.js';

function residentRowToDto(r: Selectable<Database['residents']>): ResidentDto {
  return {
    id: r.id,
    homeId: r.home_id,
    name: r.name,
    photoUrl: r.photo_url,
    birthYear: r.birth_year,
    languages: parseJson<string[]>(r.languages_json, []),
    medicalNotes: r.medical_notes,
    mobility: r.mobility as Mobility | null,
    livesAlone: r.lives_alone === 1,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export class ResidentStore {
  constructor(private readonly db: Kysely<Database>) {}

  async listResidents(homeId: string): Promise<ResidentDto[]> {
    const rows = await this.db
      .selectFrom('residents')
      .selectAll()
      .where('home_id', '=', homeId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => residentRowToDto(r));
  }

  async getResident(id: string): Promise<ResidentDto | undefined> {
    const r = await this.db
      .selectFrom('residents')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && residentRowToDto(r);
  }

  async createResident(
    homeId: string,
    input: CreateResidentRequest,
    now: number,
  ): Promise<ResidentDto> {
    const id = input.id ?? randomUUID();
    await this.db
      .insertInto('residents')
      .values({
        id,
        home_id: homeId,
        name: input.name,
        photo_url: input.photoUrl ?? null,
        birth_year: input.birthYear ?? null,
        languages_json: JSON.stringify(input.languages ?? []),
        medical_notes: input.medicalNotes ?? null,
        mobility: input.mobility ?? null,
        lives_alone: input.livesAlone ? 1 : 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const created = await this.getResident(id);
    if (!created) throw new Error('resident vanished after insert');
    return created;
  }

  async updateResident(id: string, input: UpdateResidentRequest, now: number): Promise<void> {
    await this.db
      .updateTable('residents')
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.photoUrl !== undefined ? { photo_url: input.photoUrl } : {}),
        ...(input.birthYear !== undefined ? { birth_year: input.birthYear } : {}),
        ...(input.languages !== undefined
          ? { languages_json: JSON.stringify(input.languages) }
          : {}),
        ...(input.medicalNotes !== undefined ? { medical_notes: input.medicalNotes } : {}),
        ...(input.mobility !== undefined ? { mobility: input.mobility } : {}),
        ...(input.livesAlone !== undefined ? { lives_alone: input.livesAlone ? 1 : 0 } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  async deleteResident(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('user_residents').where('resident_id', '=', id).execute();
      await detachResidentFromAlarms(trx, id);
      await trx.deleteFrom('residents').where('id', '=', id).execute();
    });
  }
}
