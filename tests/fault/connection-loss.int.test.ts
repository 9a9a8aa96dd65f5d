import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { createDatabase, type Database } from '../../server/db/client';
import { createTestDatabase } from '../support/db';

/**
 * A connection whose backend dies (a PostgreSQL restart, a failover, pg_terminate_backend) must fail
 * the queries using it, promptly, and never the process. postgres.js 3.4.9 (see
 * patches/postgres@3.4.9.patch) threw from a timer when a query was written to a connection that had
 * just closed (an uncaught exception: the web or worker process died mid-restart), left a query
 * sent between a socket error and the close waiting forever (a transaction's rollback hung), and
 * raised the dead session's error against the next session's first query. Vitest reports an
 * uncaught exception as an error of the run, so these tests fail without the patch.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let database: Database;
let killer: postgres.Sql;

beforeAll(async () => {
  db = await createTestDatabase('conn_loss');
  database = createDatabase(db.url, { max: 4 });
  killer = postgres(db.url, { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await killer?.end();
  await database?.close();
  await db?.drop();
});

const settle = (p: Promise<unknown>) =>
  Promise.race([
    p.then(
      () => 'ok',
      (e: { code?: string }) => `rejected ${e.code ?? ''}`,
    ),
    new Promise<string>((r) => setTimeout(() => r('pending'), 3000)),
  ]);

describe('losing a connection', () => {
  it('a reserved connection used after its backend died rejects instead of crashing', async () => {
    for (let i = 0; i < 10; i++) {
      const pool = postgres(db.url, { max: 1, onnotice: () => {} });
      const reserved = await pool.reserve();
      const [row] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
      await killer`select pg_terminate_backend(${row!.pid})`;
      await reserved`select 1`.catch(() => {});
      // Without the patch, about half of these threw "Cannot read properties of null (reading 'write')".
      expect(await settle(reserved`select 1`)).toBe('rejected CONNECTION_CLOSED');
      await pool.end({ timeout: 1 });
    }
  });

  it('a transaction whose backend dies rejects, and the pool carries on', async () => {
    for (let i = 0; i < 10; i++) {
      const outcome = await settle(
        database.db.transaction(async (tx) => {
          const [row] = await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
          await killer`select pg_terminate_backend(${row!.pid})`;
          await tx.execute(sql`select 1`);
          await tx.execute(sql`select 2`);
        }),
      );
      expect(outcome).toBe('rejected CONNECTION_CLOSED');
    }
    // A fresh transaction is not failed by the dead sessions' errors.
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
    });
    const [row] = await database.db.execute<{ one: number }>(sql`select 1 as one`);
    expect(row!.one).toBe(1);
  });
});
