import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { migrateDatabase } from '../../server/migrate';
import { createCitusDatabase, dropCitusDatabase } from '../../scripts/lib/citus';

/**
 * A fresh, migrated database for one test file, on the run's server (see global-setup.ts). In the
 * `citus` project (citus-setup.ts) it is a Citus database on every node of the local cluster,
 * with the tenant tables distributed by the migration. `migrate: false`: an empty database.
 */
export async function createTestDatabase(
  label = 'test',
  opts: { migrate?: boolean } = {},
): Promise<{ url: string; drop(): Promise<void> }> {
  const migrate = opts.migrate === false ? async () => {} : migrateDatabase;
  const admin = inject('adminUrl');
  const name = `hr_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const workers = inject('citusWorkerUrls') ?? [];
  if (workers.length) {
    const url = await createCitusDatabase(admin, workers, name);
    await migrate(url);
    return { url, drop: () => dropCitusDatabase(admin, workers, name) };
  }
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`create database "${name}"`);
  await sql.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrate(url);
  return {
    url,
    async drop() {
      const s = postgres(admin, { max: 1, onnotice: () => {} });
      await s.unsafe(`drop database if exists "${name}" with (force)`);
      await s.end();
    },
  };
}
