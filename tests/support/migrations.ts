import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { distributeTables, hasCitus } from '../../server/db/citus';
import { createDatabase } from '../../server/db/client';

const migrations = fileURLToPath(new URL('../../drizzle/migrations', import.meta.url));

/**
 * Migrates `url` up to and including migration `last` (a copy of the folder with a shorter journal),
 * as a database of that release was. On Citus it then distributes the tables `layout` names (by
 * default today's layout; a test of an older release passes what that release distributed).
 */
export async function migrateUpTo(
  url: string,
  last: number,
  layout?: Parameters<typeof distributeTables>[1],
): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hr-migrations-'));
  try {
    cpSync(migrations, dir, { recursive: true });
    const journalPath = path.join(dir, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ idx: number }> };
    journal.entries = journal.entries.filter((e) => e.idx <= last);
    writeFileSync(journalPath, JSON.stringify(journal));
    const database = createDatabase(url, { max: 1, applicationName: 'hookrelay-migrate-test' });
    try {
      await migrate(database.db, { migrationsFolder: dir });
      if (await hasCitus(database.sql)) await distributeTables(database.sql, layout);
    } finally {
      await database.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
