import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { startEmbeddedPostgres } from '../../server/db/embedded';

/**
 * The database a script runs against: DATABASE_URL when set, else an embedded PostgreSQL under
 * `.data/<name>` on `port`. Scripts run before env() is read, so they may read process.env.
 */
export type ScriptDatabase = { url: string; embedded: boolean; stop(): Promise<void> };

export async function resolveDatabase(opts: {
  dir: string;
  port: number;
  database: string;
  fresh?: boolean;
  /** Server settings for the embedded server (ignored for DATABASE_URL's). */
  settings?: Record<string, string>;
}): Promise<ScriptDatabase> {
  const given = process.env.DATABASE_URL;
  if (given && !opts.fresh) return { url: given, embedded: false, stop: async () => {} };
  if (given && opts.fresh) {
    const url = await createFreshDatabase(given, opts.database);
    return { url, embedded: false, stop: async () => {} };
  }
  const pg = await startEmbeddedPostgres({
    dir: opts.dir,
    port: opts.port,
    database: 'postgres',
    settings: opts.settings,
  });
  const url = opts.fresh
    ? await createFreshDatabase(pg.adminUrl, opts.database)
    : await ensureDatabase(pg.adminUrl, opts.database);
  return { url, embedded: true, stop: () => pg.stop() };
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length === 0) await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end();
  }
  return withDatabase(adminUrl, name);
}

export async function createFreshDatabase(adminUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end();
  }
  return withDatabase(adminUrl, name);
}
