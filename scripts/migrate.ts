/** `pnpm db:migrate`: applies Drizzle migrations and pg-boss's schema to DATABASE_URL. */
import { migrateDatabase } from '../server/migrate';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error(
    'DATABASE_URL is not set. Example: DATABASE_URL=postgres://user:pass@host:5432/hookrelay pnpm db:migrate',
  );
  process.exit(1);
}
await migrateDatabase(url);
console.log('Database is up to date.');
