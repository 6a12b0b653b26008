/** SQL access for a home's contacts, kept in call order. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ContactDto, ContactInput, ContactRelation } from '@anxin/protocol';
import type { Database } from '../store/schema.js';
import './tables.js';

export class ContactStore {
  constructor(private readonly db: Kysely<Database>) {}

  async listContacts(homeId: string): Promise<ContactDto[]> {
    const rows = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('home_id', '=', homeId)
      .orderBy('call_order')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      homeId: r.home_id,
      callOrder: r.call_order,
      name: r.name,
      relation: r.relation as ContactRelation,
      phone: r.phone,
      availability: r.availability,
      userId: r.user_id,
    }));
  }

  async getContact(homeId: string, contactId: string): Promise<ContactDto | undefined> {
    return (await this.listContacts(homeId)).find((c) => c.id === contactId);
  }

  /** Changes a contact's phone and availability (call order, relation and login stay). */
  async updateContact(
    homeId: string,
    contactId: string,
    patch: { phone?: string; availability?: string | null },
  ): Promise<void> {
    const set = {
      ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
      ...(patch.availability !== undefined ? { availability: patch.availability } : {}),
    };
    if (Object.keys(set).length === 0) return;
    await this.db
      .updateTable('contacts')
      .set(set)
      .where('home_id', '=', homeId)
      .where('id', '=', contactId)
      .execute();
  }

  /** Marks a contact as this user (their login); the demo seed links its family user. */
  async linkContactUser(homeId: string, contactId: string, userId: string | null): Promise<void> {
    await this.db
      .updateTable('contacts')
      .set({ user_id: userId })
      .where('home_id', '=', homeId)
      .where('id', '=', contactId)
      .execute();
  }

  async replaceContacts(homeId: string, contacts: ContactInput[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('contacts').where('home_id', '=', homeId).execute();
      let order = 1;
      for (const c of contacts) {
        await trx
          .insertInto('contacts')
          .values({
            id: randomUUID(),
            home_id: homeId,
            call_order: order++,
            name: c.name,
            relation: c.relation,
            phone: c.phone,
            availability: c.availability ?? null,
            user_id: c.userId ?? null,
          })
          .execute();
      }
    });
  }
}
