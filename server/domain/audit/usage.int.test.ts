import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestCtx } from '../../../tests/support/context';
import { createTestDatabase } from '../../../tests/support/db';
import { rawClient } from '../../db/client';
import { platformScope } from '../context';
import { createCustomer } from '../tenants/customers';
import { countUsage, getUsage, rollUpUsage } from './usage';

/**
 * Usage counting under concurrency: counts are appended, never read-modify-written, so two
 * transactions counting for the same customer never wait on each other, and folding them into the
 * daily totals loses and doubles nothing, even with rollups and new counts racing.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ctx: TestCtx;
let customerId = '';
const day = '2026-11-29';
const on = new Date(`${day}T12:00:00Z`);

beforeAll(async () => {
  db = await createTestDatabase('usage');
  ctx = await createTestContext(db.url);
  customerId = (await createCustomer(ctx, platformScope, { name: 'Counted' })).id;
});

afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

const totals = async () => (await getUsage(ctx, platformScope, { customerId, from: on, to: on })).totals;

describe('usage counting', () => {
  it('lets a second transaction count for the same customer while the first is still open', async () => {
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((r) => (releaseFirst = r));
    let firstCounted!: () => void;
    const counted = new Promise<void>((r) => (firstCounted = r));
    const first = ctx.db.transaction(async (tx) => {
      await countUsage(tx, [{ customerId, day, attempted: 1, succeeded: 1, bytes: 10 }]);
      firstCounted();
      await firstHolds;
    });
    await counted;
    // With a shared counter row this would wait for the first transaction: a lock timeout says so.
    await ctx.db.transaction(async (tx) => {
      await rawClient(tx)`set local lock_timeout = '2s'`;
      await countUsage(tx, [{ customerId, day, attempted: 1, failed: 1, bytes: 5 }]);
    });
    releaseFirst();
    await first;
    expect(await totals()).toMatchObject({ deliveriesAttempted: 2, deliveriesSucceeded: 1, deliveriesFailed: 1, bytesSent: 15 });
  });

  it('folds deltas into daily totals exactly once while counts and rollups race', async () => {
    const before = await totals();
    const writers = Array.from({ length: 20 }, (_, i) =>
      ctx.db.transaction((tx) => countUsage(tx, [{ customerId, day, events: 1, attempted: 2, succeeded: 2, bytes: i }])),
    );
    const rollups = Array.from({ length: 3 }, () => rollUpUsage(ctx));
    await Promise.all([...writers, ...rollups]);
    const expected = {
      eventsPublished: before.eventsPublished + 20,
      deliveriesAttempted: before.deliveriesAttempted + 40,
      deliveriesSucceeded: before.deliveriesSucceeded + 40,
      bytesSent: before.bytesSent + 190,
    };
    // Exact before the last rollup (reads add pending deltas) and after it.
    expect(await totals()).toMatchObject(expected);
    await rollUpUsage(ctx);
    const [left] = await rawClient(ctx.db)<{ n: number }[]>`select count(*)::int as n from usage_deltas`;
    expect(left?.n).toBe(0);
    expect(await totals()).toMatchObject(expected);
    // One daily row for the customer, however many deltas were folded.
    const [rows] = await rawClient(ctx.db)<{ n: number }[]>`select count(*)::int as n from usage_daily where customer_id = ${customerId}`;
    expect(rows?.n).toBe(1);
  });
});
