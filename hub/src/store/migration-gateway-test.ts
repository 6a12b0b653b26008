/**
 * 0960_gateway_test_mark (issue 10): events a gateway sent while its own test flag was on carry
 * `test: true`; the hub keeps that mark on each timeline entry (`alarm_triggers.gateway_test`) and
 * on the alarm (`alarms.gateway_test`: 1 while every trigger it has came from a gateway in test
 * mode). Only a mark for people: dispatch still follows the home's test mode (`alarms.test`).
 * Integer 0/1 columns with a default: portable, and existing rows read as "not a test".
 */
import type { Kysely, Migration } from 'kysely';

export const gatewayTestMark: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('alarms')
      .addColumn('gateway_test', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('alarm_triggers')
      .addColumn('gateway_test', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('alarm_triggers').dropColumn('gateway_test').execute();
    await db.schema.alterTable('alarms').dropColumn('gateway_test').execute();
  },
};
