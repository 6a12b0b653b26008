/**
 * vitest globalSetup of the `postgres` project: one temp PostgreSQL cluster for the whole run
 * (each test then creates its own database on it, test-database.ts), removed at the end.
 */
import type { TestProject } from 'vitest/node';
import { LocalPostgres } from '../local-engines/postgres.js';

let cluster: LocalPostgres | undefined;

export async function setup(project: TestProject): Promise<void> {
  cluster = await LocalPostgres.create();
  project.provide('anxinPostgresUrl', cluster.url());
}

export async function teardown(): Promise<void> {
  await cluster?.destroy();
}
