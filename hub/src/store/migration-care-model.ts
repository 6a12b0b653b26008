import type { Kysely, Migration } from 'kysely';

/**
 * Issue 5, care model: areas (district → street → community), homes, residents, contacts in call
 * order, response plans, user scopes (areas, residents, installer assignments), gateway claim and
 * decommission state, registered devices, alarm residents and responders, audit indexes.
 */
export const careModel: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('areas')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('parent_id', 'text', (c) => c.references('areas.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('areas_parent').on('areas').column('parent_id').execute();

    await db.schema
      .createTable('homes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('area_id', 'text', (c) => c.notNull().references('areas.id'))
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('floor', 'text')
      .addColumn('room', 'text')
      .addColumn('access_notes', 'text')
      .addColumn('key_safe_code', 'text')
      .addColumn('test_mode', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('test_mode_since', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('homes_area').on('homes').column('area_id').execute();

    await db.schema
      .createTable('home_installers')
      .addColumn('home_id', 'text', (c) => c.notNull().references('homes.id'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addPrimaryKeyConstraint('home_installers_pk', ['home_id', 'user_id'])
      .execute();
    await db.schema
      .createIndex('home_installers_user')
      .on('home_installers')
      .column('user_id')
      .execute();

    await db.schema
      .createTable('residents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('home_id', 'text', (c) => c.notNull().references('homes.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('photo_url', 'text')
      .addColumn('birth_year', 'integer')
      .addColumn('languages_json', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('medical_notes', 'text')
      .addColumn('mobility', 'text')
      .addColumn('lives_alone', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('residents_home').on('residents').column('home_id').execute();

    await db.schema
      .createTable('contacts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('home_id', 'text', (c) => c.notNull().references('homes.id'))
      .addColumn('call_order', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('relation', 'text', (c) => c.notNull())
      .addColumn('phone', 'text', (c) => c.notNull())
      .addColumn('availability', 'text')
      .addColumn('user_id', 'text')
      .execute();
    await db.schema
      .createIndex('contacts_home')
      .on('contacts')
      .columns(['home_id', 'call_order'])
      .execute();

    await db.schema
      .createTable('response_plans')
      .addColumn('home_id', 'text', (c) => c.notNull().references('homes.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('steps_json', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .addPrimaryKeyConstraint('response_plans_pk', ['home_id', 'kind'])
      .execute();

    await db.schema
      .createTable('user_areas')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('area_id', 'text', (c) => c.notNull().references('areas.id'))
      .addPrimaryKeyConstraint('user_areas_pk', ['user_id', 'area_id'])
      .execute();
    await db.schema
      .createTable('user_residents')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('resident_id', 'text', (c) => c.notNull().references('residents.id'))
      .addPrimaryKeyConstraint('user_residents_pk', ['user_id', 'resident_id'])
      .execute();

    // Gateway claim state: the claim code is stored hashed like any secret.
    await db.schema.alterTable('gateways').addColumn('claim_code_hash', 'text').execute();
    await db.schema.alterTable('gateways').addColumn('claimed_at', 'bigint').execute();
    await db.schema.alterTable('gateways').addColumn('claimed_by', 'text').execute();
    await db.schema.alterTable('gateways').addColumn('decommissioned_at', 'bigint').execute();
    await db.schema
      .alterTable('gateways')
      .addColumn('config_version', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('gateways_home').on('gateways').column('home_id').execute();

    // Devices an installer registered (room, kind, driver options) next to those only heard of.
    await db.schema.alterTable('devices').addColumn('room', 'text').execute();
    await db.schema.alterTable('devices').addColumn('kind', 'text').execute();
    await db.schema.alterTable('devices').addColumn('expected_interval_s', 'integer').execute();
    await db.schema.alterTable('devices').addColumn('port', 'text').execute();
    await db.schema.alterTable('devices').addColumn('options_json', 'text').execute();
    await db.schema
      .alterTable('devices')
      .addColumn('registered', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    await db.schema.alterTable('alarms').addColumn('resident_id', 'text').execute();
    await db.schema
      .createIndex('alarms_home')
      .on('alarms')
      .columns(['home_id', 'status'])
      .execute();
    await db.schema
      .createTable('alarm_responders')
      .addColumn('alarm_id', 'text', (c) => c.notNull().references('alarms.id'))
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('eta_minutes', 'integer')
      .addColumn('note', 'text')
      .addPrimaryKeyConstraint('alarm_responders_pk', ['alarm_id', 'user_id'])
      .execute();

    await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
    await db.schema
      .createIndex('audit_log_user')
      .on('audit_log')
      .columns(['user_id', 'at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of [
      'alarm_responders',
      'user_residents',
      'user_areas',
      'response_plans',
      'contacts',
      'residents',
      'home_installers',
      'homes',
      'areas',
    ]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
