import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createDatabase, PoolTimeoutError, rawClient, type Database } from '../../server/db/client';
import { toDomainError, httpStatusOf } from '../../server/api/errors';
import { createTestDatabase } from '../support/db';

/**
 * The web pool's bounded wait for a connection (server/db/client.ts), in process: every way the code
 * reaches the database (Drizzle queries and transactions, raw tagged queries, `unsafe`, fragments)
 * goes through it; a wait past the bound fails with PoolTimeoutError having sent nothing, which the
 * API answers 503 `unavailable`; the pool serves again once connections come free.
 * tests/fault/pool-exhaustion.int.test.ts does the same against a real web process.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let database: Database;
/** The same bound, generous: for queueing that must succeed however loaded the machine. */
let patient: Database;

beforeAll(async () => {
  db = await createTestDatabase('fault_pool_wait');
  database = createDatabase(db.url, { max: 2, acquireTimeoutMs: 500, applicationName: 'pool-wait-test' });
  patient = createDatabase(db.url, { max: 2, acquireTimeoutMs: 60_000, applicationName: 'pool-wait-test' });
  await database.db.execute(sql`create table pool_probe (k text primary key)`);
});

afterAll(async () => {
  await database?.close();
  await patient?.close();
  await db?.drop();
});

const reasonOf = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' ? (r.reason as unknown) : null);

describe('bounded wait for a pool connection', () => {
  it('serves every kind of query within the pool, fragments included', async () => {
    const raw = rawClient(patient.db);
    const fragment = raw`and 1 = 1`;
    expect(await raw`select 1 as x where true ${fragment}`).toEqual([{ x: 1 }]);
    expect(await raw.unsafe('select 2 as y')).toEqual([{ y: 2 }]);
    expect([...(await patient.db.execute(sql`select 3 as z`))]).toEqual([{ z: 3 }]);
    expect(await patient.db.transaction(async (tx) => [...(await tx.execute(sql`select 4 as w`))])).toEqual([{ w: 4 }]);
    // Far more at once than the pool: they queue and all succeed.
    const many = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        i % 2 ? raw`select ${i}::int as i` : patient.db.transaction((tx) => tx.execute(sql`select 1`)),
      ),
    );
    expect(many).toHaveLength(200);
  });

  it('fails a query that gets no connection within the bound, having sent nothing, and recovers', async () => {
    const raw = rawClient(database.db);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let started = 0;
    const holders = [1, 2].map(() =>
      database.db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        started++;
        await held;
      }),
    );
    await expect.poll(() => started).toBe(2);

    const results = await Promise.allSettled([
      database.db.execute(sql`insert into pool_probe values ('drizzle')`),
      database.db.transaction((tx) => tx.execute(sql`insert into pool_probe values ('transaction')`)),
      raw`insert into pool_probe values ('tagged')`,
      raw.unsafe(`insert into pool_probe values ('unsafe')`),
    ]);
    release();
    await Promise.all(holders);

    for (const r of results) {
      const e = toDomainError(reasonOf(r));
      expect(e.code, String(reasonOf(r))).toBe('unavailable');
      expect(httpStatusOf[e.code]).toBe(503);
      expect(e.retryAfterSeconds).toBeGreaterThan(0);
    }
    expect(results.filter((r) => reasonOf(r) instanceof PoolTimeoutError).length).toBeGreaterThan(0);
    // Nothing was sent: none of the inserts happened.
    expect([...(await database.db.execute(sql`select count(*)::int as n from pool_probe`))]).toEqual([{ n: 0 }]);
    // Served again at once.
    await database.db.execute(sql`insert into pool_probe values ('after')`);
    expect([...(await database.db.execute(sql`select k from pool_probe`))]).toEqual([{ k: 'after' }]);
  });

  it('bounds transactions that reach for the pool inside themselves, instead of deadlocking', async () => {
    // Each takes a connection, then asks the pool (not its own transaction) for another.
    const results = await Promise.allSettled(
      [1, 2].map(() => database.db.transaction(() => database.db.execute(sql`select 1`))),
    );
    // Both settle (no deadlock). At least one waits out its limit with a 503; the other either does
    // too, or gets the connection the first one released (when its own timer fires later, as it
    // may on a busy machine) and succeeds.
    const codes = results.map((r) => (r.status === 'fulfilled' ? 'ok' : toDomainError(reasonOf(r)).code));
    expect(codes.filter((c) => c === 'unavailable').length, codes.join(',')).toBeGreaterThanOrEqual(1);
    expect(
      codes.every((c) => c === 'unavailable' || c === 'ok'),
      codes.join(','),
    ).toBe(true);
    expect([...(await database.db.execute(sql`select 1 as ok`))]).toEqual([{ ok: 1 }]);
  });
});
