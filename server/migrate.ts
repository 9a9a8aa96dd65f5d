import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { createDatabase } from './db/client';
import { createBoss, ensureQueues } from './queue/boss';
import { distributeTables, hasCitus } from './db/citus';
import { env } from './env';
import { settingsFromEnv } from './settings';
import { ensurePartitions } from './domain/upkeep/partitions';

const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../drizzle/migrations');

/**
 * Brings a database up to date: our tables (Drizzle migrations, committed under drizzle/migrations),
 * their distribution when the database is a Citus coordinator (server/db/citus.ts), and pg-boss's
 * schema and queues (local to the coordinator on Citus). Safe to run repeatedly and from several
 * processes at once (each step takes an advisory lock).
 */
export async function migrateDatabase(url: string): Promise<void> {
  const database = createDatabase(url, { max: 1, applicationName: 'hookrelay-migrate' });
  try {
    await migrate(database.db, { migrationsFolder });
    if (await hasCitus(database.sql)) await distributeTables(database.sql);
    await ensurePartitions(database.db, { now: new Date(), intervalDays: env().PARTITION_DAYS });
  } finally {
    await database.close();
  }
  const boss = createBoss(url, { role: 'migrate' });
  await boss.start();
  try {
    await ensureQueues(boss, settingsFromEnv().queue);
  } finally {
    await boss.stop({ graceful: false, close: true });
  }
}
