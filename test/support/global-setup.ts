import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres-server.js';
import type { PostgresServer } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

let server: PostgresServer | null = null;

/** One PostgreSQL server for the whole run (or FLEETDECK_TEST_DATABASE_URL); each test file gets its own database. */
export async function setup(project: TestProject): Promise<void> {
  const given = process.env.FLEETDECK_TEST_DATABASE_URL;
  if (given) {
    project.provide('postgresUrl', given);
    return;
  }
  server = await startPostgres();
  project.provide('postgresUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  server = null;
}
