import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { eq, inArray, sql } from 'drizzle-orm';
import { deliveries, events } from '../../../drizzle/schema';
import { createTestDatabase } from '../../../tests/support/db';
import { createTestContext, type TestCtx } from '../../../tests/support/context';
import { metrics } from '../../metrics';
import { customerScope, platformScope } from '../context';
import { createCustomer } from '../tenants/customers';
import { DomainError } from '../errors';
import { publishEventBatched } from './group-commit';
import { newId } from '../ids';
import { createSubscription } from '../subscriptions/subscription-changes';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ctx: TestCtx;

beforeAll(async () => {
  db = await createTestDatabase('publish_batch');
  ctx = await createTestContext(db.url);
});

afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

describe('group commit of concurrent publishes', () => {
  it('accepts concurrent events in batches with the same results as one by one', async () => {
    const a = await createCustomer(ctx, platformScope, { name: 'A' });
    const b = await createCustomer(ctx, platformScope, { name: 'B' });
    await createSubscription(ctx, platformScope, {
      customerId: a.id,
      url: 'http://127.0.0.1:9/a1',
      eventTypes: ['order.*'],
    });
    await createSubscription(ctx, platformScope, { customerId: a.id, url: 'http://127.0.0.1:9/a2', eventTypes: ['*'] });
    await createSubscription(ctx, platformScope, {
      customerId: b.id,
      url: 'http://127.0.0.1:9/b1',
      eventTypes: ['invoice.paid'],
    });

    const batchedBefore = metrics.eventsGroupCommitted.get();
    const results = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) =>
        publishEventBatched(ctx, platformScope, { type: 'order.created', data: { i }, customerId: a.id }),
      ),
      ...Array.from({ length: 10 }, (_, i) =>
        publishEventBatched(ctx, customerScope(b.id), { type: i % 2 ? 'invoice.paid' : 'invoice.void', data: { i } }),
      ),
      publishEventBatched(ctx, platformScope, { type: 'order.created', data: { broadcast: true }, broadcast: true }),
    ]);
    expect(new Set(results.map((r) => r.id)).size).toBe(41);
    // They were issued together, so (nearly) all went through one group commit, not one by one.
    expect(metrics.eventsGroupCommitted.get() - batchedBefore).toBeGreaterThanOrEqual(30);
    expect(results.slice(0, 30).every((r) => r.deliveries === 2 && !r.duplicate)).toBe(true);
    expect(results.slice(30, 40).map((r) => r.deliveries)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    expect(results[40]!.deliveries).toBeNull(); // a broadcast fans out in its job

    const rows = await ctx.db
      .select({ eventId: deliveries.eventId, n: sql<number>`count(*)::int` })
      .from(deliveries)
      .where(
        inArray(
          deliveries.eventId,
          results.slice(0, 40).map((r) => r.id),
        ),
      )
      .groupBy(deliveries.eventId);
    expect(rows.reduce((s, r) => s + r.n, 0)).toBe(30 * 2 + 5);
    const [stored] = await ctx.db.select().from(events).where(eq(events.id, results[0].id));
    expect(stored).toMatchObject({ customerId: a.id, deliveryCount: 2 });
    expect(stored!.fannedOutAt).not.toBeNull();
  });

  it('gives each event of a mixed batch its own answer: errors, idempotent repeats, acceptance', async () => {
    const c = await createCustomer(ctx, platformScope, { name: 'C' });
    await createSubscription(ctx, platformScope, { customerId: c.id, url: 'http://127.0.0.1:9/c', eventTypes: ['*'] });
    const first = await publishEventBatched(ctx, platformScope, {
      type: 'a.b',
      data: { n: 1 },
      customerId: c.id,
      idempotencyKey: 'k-1',
    });
    const before = (await ctx.db.select({ n: sql<number>`count(*)::int` }).from(events))[0]!.n;

    const settled = await Promise.allSettled([
      publishEventBatched(ctx, platformScope, { type: 'a.b', data: { n: 1 }, customerId: c.id, idempotencyKey: 'k-1' }), // repeat
      publishEventBatched(ctx, platformScope, { type: 'a.b', data: { n: 2 }, customerId: c.id, idempotencyKey: 'k-1' }), // same key, other event
      publishEventBatched(ctx, platformScope, { type: 'a.b', data: {}, customerId: newId('customer') }), // unknown customer
      publishEventBatched(ctx, customerScope(c.id, true), { type: 'a.b', data: {} }), // read-only
      publishEventBatched(ctx, platformScope, { type: 'a.b', data: { n: 3 }, customerId: c.id }), // fine
      publishEventBatched(ctx, platformScope, { type: 'a.b', data: { n: 4 }, customerId: c.id, idempotencyKey: 'k-2' }), // fine
      publishEventBatched(ctx, platformScope, { type: 'a.b', data: { n: 4 }, customerId: c.id, idempotencyKey: 'k-2' }), // same key twice in one batch
    ]);
    const value = (i: number) => {
      const r = settled[i]!;
      return r.status === 'fulfilled' ? r.value : null;
    };
    const code = (i: number) => {
      const r = settled[i]!;
      return r.status === 'rejected' ? (r.reason as DomainError).code : null;
    };
    expect(value(0)).toEqual({ id: first.id, deliveries: 1, duplicate: true });
    expect(code(1)).toBe('conflict');
    expect(code(2)).toBe('not_found');
    expect(code(3)).toBe('forbidden');
    expect(value(4)).toMatchObject({ deliveries: 1, duplicate: false });
    const k2 = [value(5), value(6)];
    expect(k2[0]!.id).toBe(k2[1]!.id);
    expect(k2.filter((r) => r!.duplicate)).toHaveLength(1);
    // Accepted: the new one and one k-2 event; nothing else was written.
    const after = (await ctx.db.select({ n: sql<number>`count(*)::int` }).from(events))[0]!.n;
    expect(after - before).toBe(2);
  });

  it('a group commit stuck on one customer does not hold up the next ones', async () => {
    // Two transactions at most run at once. Here two are stuck on customer A's idempotency keys,
    // which another transaction has claimed and not yet committed (as another web process accepting
    // the same retry would); B's publish must still get through while they wait.
    const a = await createCustomer(ctx, platformScope, { name: 'Locked' });
    const b = await createCustomer(ctx, platformScope, { name: 'Free' });
    const locker = postgres(db.url, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let claimed!: () => void;
    const keysClaimed = new Promise<void>((r) => (claimed = r));
    const holding = locker
      .begin(async (tx) => {
        for (const key of ['held-1', 'held-2'])
          await tx`insert into event_keys (customer_id, key, event_id, retention_until) values (${a.id}, ${key}, ${newId('event')}, now() + interval '1 day')`;
        claimed();
        await released;
        throw new Error('roll back: the keys go free');
      })
      .catch((err: unknown) => {
        claimed(); // a failed claim must not leave the test waiting: the assertions below tell
        if (!(err instanceof Error && err.message.startsWith('roll back'))) throw err;
      });
    try {
      await keysClaimed;
      const stuck = [
        publishEventBatched(ctx, platformScope, {
          type: 'a.b',
          data: { n: 1 },
          customerId: a.id,
          idempotencyKey: 'held-1',
        }),
      ];
      await new Promise((r) => setTimeout(r, 50));
      stuck.push(
        publishEventBatched(ctx, platformScope, {
          type: 'a.b',
          data: { n: 2 },
          customerId: a.id,
          idempotencyKey: 'held-2',
        }),
      );
      await new Promise((r) => setTimeout(r, 50));
      const free = publishEventBatched(ctx, platformScope, { type: 'a.b', data: { n: 3 }, customerId: b.id });
      const first = await Promise.race([
        free.then(() => 'B published'),
        Promise.race(stuck).then(
          () => 'A published',
          (err: unknown) => `A failed: ${String(err)}`,
        ),
        new Promise((r) => setTimeout(() => r('B still waiting after 10 s'), 10_000)),
      ]);
      expect(first).toBe('B published');
      release();
      await holding;
      // Once the other transaction rolled back, A's publishes go through with their keys.
      expect(await Promise.all(stuck)).toMatchObject([{ duplicate: false }, { duplicate: false }]);
    } finally {
      release();
      await holding.catch(() => {});
      await locker.end();
    }
  });
});
