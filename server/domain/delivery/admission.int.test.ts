import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestDatabase } from '../../../tests/support/db';
import { createTestContext, type TestCtx } from '../../../tests/support/context';
import { rawClient } from '../../db/client';
import { platformScope } from '../context';
import { publishBatch } from '../events/publish';
import { createCustomer } from '../tenants/customers';
import { createSubscription } from '../tenants/subscriptions';
import { suffixOf } from '../upkeep/partitions';
import { admit } from './dispatch';

/**
 * What filling a window costs with a long backlog: the admission reads each partition's backlog
 * index in order and merges, so it touches about as many deliveries as it admits, not the whole
 * backlog of the subscription (which it did, sorting it, at every refill, while its ORDER BY said
 * `priority desc`, NULLS FIRST, against the index's NULLS LAST).
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ctx: TestCtx;

beforeAll(async () => {
  db = await createTestDatabase('admission');
  ctx = await createTestContext(db.url);
});

afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

describe('admission with a long backlog', () => {
  it('admits the oldest waiting deliveries and reads about as many as it admits', async () => {
    const BACKLOG = 3000;
    const WINDOW = 5;
    const customers = await Promise.all([0, 1, 2, 3].map((i) => createCustomer(ctx, platformScope, { name: `Backlog ${i}` })));
    const subs = [];
    for (const c of customers)
      for (let s = 0; s < 3; s++)
        subs.push(await createSubscription(ctx, platformScope, { customerId: c.id, url: 'http://127.0.0.1:9/hook', eventTypes: ['*'], maxInFlight: WINDOW }));
    // Each customer's events fan out to its 3 subscriptions: BACKLOG waiting per subscription.
    for (const c of customers)
      for (let b = 0; b < BACKLOG; b += 500)
        await publishBatch(
          ctx,
          platformScope,
          Array.from({ length: 500 }, (_, i) => ({ type: 'order.created', customerId: c.id, data: { n: b + i } })),
        );
    const raw = rawClient(ctx.db);
    // The windows filled at publish; their attempts finish (as recording them would leave them).
    await raw`update deliveries set status = 'succeeded', queued_at = null, completed_at = now() where queued_at is not null`;
    // Statistics as autovacuum keeps them for a partition with rows in it.
    await raw`analyze deliveries`;

    const sub = subs[0]!;
    const partition = `deliveries_${suffixOf(Math.floor(Date.now() / 86_400_000) * 86_400_000)}`;
    const { admitted, fetched, oldest } = await ctx.db.transaction(async (tx) => {
      const admitted = await admit(ctx, tx, { subscriptions: [{ id: sub.id, customerId: sub.customerId }], fast: true });
      // This transaction's own counters: rows the index scans fetched from today's partition.
      const [stats] = await tx.execute<{ fetched: number }>(
        sql`select coalesce(idx_tup_fetch, 0)::int as fetched from pg_stat_xact_user_tables where relname = ${partition}`,
      );
      const oldest = await rawClient(tx)<{ id: string }[]>`
        select id from deliveries where subscription_id = ${sub.id} and customer_id = ${sub.customerId} and status = 'pending'
        order by priority desc, next_attempt_at, id limit ${WINDOW}`;
      return { admitted, fetched: stats?.fetched ?? 0, oldest };
    });
    expect(admitted).toHaveLength(WINDOW);
    // Oldest due first: the admitted are the first of the backlog in its order.
    expect(admitted.map((a) => a.id).sort()).toEqual(oldest.map((o) => o.id).sort());
    // The window count and the pick each read a handful of index entries; sorting the backlog would
    // have fetched all BACKLOG of them.
    expect(fetched).toBeLessThan(BACKLOG / 10);
  }, 120_000);
});
