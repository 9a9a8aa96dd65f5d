import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestContext, type TestCtx } from '../../../tests/support/context';
import { rawClient } from '../../db/client';
import { and, eq } from 'drizzle-orm';
import { events } from '../../../drizzle/schema';
import { customerScope, platformScope } from '../context';
import { createCustomer } from '../tenants/customers';
import { createSubscription } from '../subscriptions/subscription-changes';
import { publishBatch } from '../events/publish-batch';
import { publishEvent } from '../events/publish';
import { runFanOutJob } from '../events/fanout';
import { countUsage, dayOf, rollUpUsage } from './usage-counting';
import { getUsage } from '../insights/usage';

/**
 * Usage counting under concurrency: counts are appended, never read-modify-written, so two
 * transactions counting for the same customer never wait on each other, and folding them into the
 * daily totals loses and doubles nothing, even with rollups and new counts racing.
 */
let ctx: TestCtx;
let customerId = '';
const day = '2026-11-29';
const on = new Date(`${day}T12:00:00Z`);

beforeAll(async () => {
  ctx = await startTestContext('usage');
  customerId = (await createCustomer(ctx, platformScope, { name: 'Counted' })).id;
});

afterAll(() => ctx?.close());

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
    expect(await totals()).toMatchObject({
      deliveriesAttempted: 2,
      deliveriesSucceeded: 1,
      deliveriesFailed: 1,
      bytesSent: 15,
    });
  });

  it('folds deltas into daily totals exactly once while counts and rollups race', async () => {
    const before = await totals();
    const writers = Array.from({ length: 20 }, (_, i) =>
      ctx.db.transaction((tx) =>
        countUsage(tx, [{ customerId, day, events: 1, attempted: 2, succeeded: 2, bytes: i }]),
      ),
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
    const [rows] = await rawClient(ctx.db)<
      { n: number }[]
    >`select count(*)::int as n from usage_daily where customer_id = ${customerId}`;
    expect(rows?.n).toBe(1);
  });
});

describe('bytes published', () => {
  /** The bytes of the event bodies stored for the customer: what the counter must equal. */
  const storedBytes = async (c: string, ids: string[]) => {
    let n = 0;
    for (const id of ids) {
      const [e] = await ctx.db
        .select({ body: events.body })
        .from(events)
        .where(and(eq(events.id, id), eq(events.customerId, c)));
      n += Buffer.byteLength(e!.body);
    }
    return n;
  };
  const published = async (c: string) => {
    const now = ctx.now();
    return (await getUsage(ctx, platformScope, { customerId: c, from: now, to: now })).totals.bytesPublished;
  };

  it("counts each accepted event's stored body bytes (single, batch, a broadcast's copy), and rollup folds them", async () => {
    const c = (await createCustomer(ctx, platformScope, { name: 'Bytes' })).id;
    await createSubscription(ctx, platformScope, { customerId: c, url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] });
    const ids: string[] = [];
    ids.push((await publishEvent(ctx, customerScope(c), { type: 'a.b', data: { text: 'héllo ✓' } })).id);
    ids.push((await publishEvent(ctx, platformScope, { type: 'a.b', data: { n: 1 }, customerId: c })).id);
    const batch = await publishBatch(ctx, customerScope(c), [
      { type: 'a.b', data: { i: 1 } },
      { type: 'a.b', data: { big: 'x'.repeat(1000) } },
      { type: 'bad type!', data: {} },
    ]);
    for (const r of batch.results) if ('id' in r) ids.push(r.id);
    expect(ids).toHaveLength(4);
    // A repeat under a used idempotency key stores nothing more.
    await publishEvent(ctx, customerScope(c), { type: 'a.b', data: {}, idempotencyKey: 'k' });
    await publishEvent(ctx, customerScope(c), { type: 'a.b', data: {}, idempotencyKey: 'k' });
    const keyed = (await publishEvent(ctx, customerScope(c), { type: 'a.b', data: {}, idempotencyKey: 'k' })).id;
    ids.push(keyed);
    // A broadcast: its copy for this customer counts once it is fanned out.
    const broadcast = await publishEvent(ctx, platformScope, { type: 'a.b', data: { all: true }, broadcast: true });
    await runFanOutJob(ctx, { eventId: broadcast.id });
    ids.push(broadcast.id);

    const expected = await storedBytes(c, ids);
    expect(expected).toBeGreaterThan(1000);
    expect(await published(c)).toBe(expected);
    await rollUpUsage(ctx);
    const [daily] = await rawClient(ctx.db)<{ b: string }[]>`
      select bytes_published::text as b from usage_daily where customer_id = ${c} and day = ${dayOf(ctx.now())}::date`;
    expect(Number(daily?.b)).toBe(expected);
    expect(await published(c)).toBe(expected);
  });
});
