// vitest globalSetup of the Postgres run of the hub suite: one throw-away cluster for the run
// (each hub gets its own database in it), stopped and removed at the end, failed run or not.
// The project's setupFiles (postgres-setup-file.ts) hand its URL to each test file.
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The superuser URL of the run's throw-away cluster. */
    hubPostgresUrl: string;
  }
}

export async function setup(project: TestProject): Promise<() => void> {
  const cluster = await startPostgres();
  project.provide('hubPostgresUrl', cluster.url());
  return () => cluster.stop();
}
