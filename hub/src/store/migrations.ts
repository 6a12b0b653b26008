/**
 * Versioned schema migrations, provided in code (no files to ship or find at run time). Never edit
 * a migration that has shipped: add a new one. The same steps run on SQLite and PostgreSQL: written
 * with Kysely's schema builder, integers that hold epoch ms are BIGINT, flags are INTEGER 0/1,
 * and the few types that differ come from migration-columns.ts (identity columns, floating point).
 * One file per migration (migration-*.ts); this file only lists them by name.
 *
 * Naming rule: `NNNN_topic` (4 digits, unique, e.g. '0940_something'). Pending migrations run in
 * name order; a database that already ran a higher number still runs a lower one added later
 * (db.ts migrates with `allowUnorderedMigrations`), so pick the next free number in your area and
 * never depend on a migration with a higher number. A shipped name is never renamed or removed
 * (the hub refuses to start when a migration it ran is missing).
 */
import { careOperationsMigration } from '../operations/migration.js';
import type { Migration, MigrationProvider } from 'kysely';
import { gatewayClaim } from './migration-gateway-claim.js';
import { multiHub } from './migration-multi-hub.js';
import { claimChallenges } from './migration-claim-challenges.js';
import { importJobsMigration } from '../bulk/import-jobs.js';
import { importLeaseMigration } from '../bulk/import-lease.js';
import { initial } from './migration-initial.js';
import { engine } from './migration-engine.js';
import { careModel } from './migration-care-model.js';
import { commissioning } from './migration-commissioning.js';
import { sharedHomesImport } from './migration-shared-homes-import.js';
import { gatewayControl } from './migration-gateway-control.js';
import { gatewayTestMark } from './migration-gateway-test.js';
import { unresolvedAlarmIndexes } from './migration-unresolved-alarms.js';
import { workOrderListIndex } from './migration-work-order-list.js';

export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_care_model_20261122T1345': careModel,
  '0900_engine': engine,
  '0910_commissioning_20261122T1430': commissioning,
  '0925_gateway_claim': gatewayClaim,
  '0920_gateway_control': gatewayControl,
  '0935_shared_homes_import': sharedHomesImport,
  '0930_care_operations': careOperationsMigration,
  '0940_multi_hub': multiHub,
  '0945_claim_challenges': claimChallenges,
  '0950_import_jobs': importJobsMigration,
  '0960_gateway_test_mark': gatewayTestMark,
  '0970_import_lease': importLeaseMigration,
  '0980_unresolved_alarm_indexes': unresolvedAlarmIndexes,
  '0985_work_order_list_index': workOrderListIndex,
};

export const inCodeMigrations: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
