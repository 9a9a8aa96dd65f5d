import postgres, { type Sql } from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { Db as IDatabase } from 'pg-boss';
import * as schema from '../../drizzle/schema';

export type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema>;
/** A Drizzle transaction handle: what a function takes when it must run inside the caller's transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Either the database or a transaction: for functions that may run in either. */
export type Queryable = Db | Tx;

export type Database = { db: Db; sql: Sql; close(): Promise<void> };

export function createDatabase(url: string, opts: { max?: number; applicationName?: string } = {}): Database {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    connection: { application_name: opts.applicationName ?? 'hookrelay' },
  });
  const db = drizzle({ client: sql, schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/** The raw postgres.js handle behind a Drizzle database or transaction (for pg-boss and hot-path SQL). */
export function rawClient(q: Queryable): Sql {
  return (q as unknown as { session: { client: Sql } }).session.client;
}

/**
 * pg-boss's database adapter over a Drizzle transaction, so jobs sent or completed with it commit
 * or roll back together with our own rows (the outbox guarantee).
 */
export function bossDb(q: Queryable): IDatabase {
  const client = rawClient(q);
  return {
    executeSql: async (text, values) => ({ rows: await client.unsafe(text, (values ?? []) as never[]) }),
  };
}
