import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { createDatabase } from './db/client';
import { createBoss, ensureQueues } from './queue/boss';

const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../drizzle/migrations');

/**
 * Brings a database up to date: our tables (Drizzle migrations, committed under drizzle/migrations)
 * and pg-boss's schema and queues. Safe to run repeatedly and from several processes at once
 * (both take advisory locks).
 */
export async function migrateDatabase(url: string): Promise<void> {
  const database = createDatabase(url, { max: 1, applicationName: 'hookrelay-migrate' });
  try {
    await migrate(database.db, { migrationsFolder });
  } finally {
    await database.close();
  }
  const boss = createBoss(url, { role: 'migrate' });
  await boss.start();
  try {
    await ensureQueues(boss);
  } finally {
    await boss.stop({ graceful: false, close: true });
  }
}
