import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attempts, deliveries, events } from '../../../drizzle/schema';
import { createTestDatabase } from '../../../tests/support/db';
import { createTestContext, type TestCtx } from '../../../tests/support/context';
import { customerScope, platformScope } from '../context';
import { createCustomer } from '../tenants/customers';
import { DomainError } from '../errors';
import { newId } from '../ids';
import { customerOverview } from './overview';
import { createSubscription } from '../tenants/subscriptions';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ctx: TestCtx;
const now = new Date('2025-03-04T10:30:20Z');

beforeAll(async () => {
  db = await createTestDatabase('overview');
  ctx = { ...(await createTestContext(db.url)), now: () => now };
});

afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

/** A delivery of a fresh event with the given attempts (minutes ago, status, latency). */
async function seedDelivery(customerId: string, subscriptionId: string, status: 'succeeded' | 'dead', tries: { minutesAgo: number; ok: boolean; ms: number }[]) {
  const eventId = newId('event');
  const deliveryId = newId('delivery');
  const at = (m: number) => new Date(now.getTime() - m * 60_000);
  await ctx.db.insert(events).values({ id: eventId, customerId, type: 'order.created', body: '{}', createdAt: at(120), retentionUntil: at(-43200) });
  await ctx.db.insert(deliveries).values({
    id: deliveryId,
    eventId,
    subscriptionId,
    customerId,
    eventType: 'order.created',
    status,
    attemptCount: tries.length,
    completedAt: at(Math.min(...tries.map((t) => t.minutesAgo))),
  });
  for (const [i, t] of tries.entries()) {
    await ctx.db.insert(attempts).values({
      id: newId('attempt'),
      deliveryId,
      subscriptionId,
      customerId,
      attemptSeq: i + 1,
      trigger: i === 0 ? 'initial' : 'retry',
      status: t.ok ? 'succeeded' : 'failed',
      url: 'http://127.0.0.1/hook',
      requestHeaders: {},
      responseStatus: t.ok ? 200 : 500,
      latencyMs: t.ms,
      startedAt: at(t.minutesAgo),
    });
  }
}

describe('customer overview', () => {
  it('buckets attempts, latency and dead letters per minute for the acting customer only', async () => {
    const acme = await createCustomer(ctx, platformScope, { name: 'Acme' });
    const other = await createCustomer(ctx, platformScope, { name: 'Other' });
    const sub = await createSubscription(ctx, platformScope, { customerId: acme.id, url: 'http://127.0.0.1/hook', eventTypes: ['*'] });
    const otherSub = await createSubscription(ctx, platformScope, { customerId: other.id, url: 'http://127.0.0.1/hook', eventTypes: ['*'] });
    await seedDelivery(acme.id, sub.id, 'succeeded', [{ minutesAgo: 0, ok: true, ms: 100 }]);
    await seedDelivery(acme.id, sub.id, 'succeeded', [{ minutesAgo: 0, ok: true, ms: 300 }]);
    await seedDelivery(acme.id, sub.id, 'dead', [
      { minutesAgo: 5, ok: false, ms: 50 },
      { minutesAgo: 3, ok: false, ms: 70 },
    ]);
    // Outside the hour, and another customer's traffic: neither may show.
    await seedDelivery(acme.id, sub.id, 'succeeded', [{ minutesAgo: 90, ok: true, ms: 10 }]);
    await seedDelivery(other.id, otherSub.id, 'dead', [{ minutesAgo: 1, ok: false, ms: 999 }]);

    const o = await customerOverview(ctx, customerScope(acme.id), { range: 'hour' });
    expect(o.buckets).toHaveLength(60);
    expect(o.bucketSeconds).toBe(60);
    expect(o.buckets.at(-1)!.at).toBe('2025-03-04T10:30:00.000Z');
    expect(o.buckets[0]!.at).toBe('2025-03-04T09:31:00.000Z');
    const last = o.buckets.at(-1)!;
    expect(last).toMatchObject({ attempts: 2, succeeded: 2, failed: 0, latencyP50Ms: 200, deadLettered: 0 });
    const threeAgo = o.buckets.find((b) => b.at === '2025-03-04T10:27:00.000Z')!;
    expect(threeAgo).toMatchObject({ attempts: 1, failed: 1, deadLettered: 1 });
    expect(o.buckets.find((b) => b.at === '2025-03-04T10:29:00.000Z')).toMatchObject({ attempts: 0, latencyP50Ms: null, deadLettered: 0 });
    expect(o.totals).toMatchObject({ attempts: 4, succeeded: 2, successRate: 0.5, deadLettered: 1 });
    expect(o.current).toEqual({ pending: 0, held: 0, dead: 1, succeeded: 3 });

    const day = await customerOverview(ctx, customerScope(acme.id), { range: 'day' });
    expect(day.buckets).toHaveLength(96);
    expect(day.buckets.at(-1)!.at).toBe('2025-03-04T10:30:00.000Z');
    expect(day.totals.attempts).toBe(5);
  });

  it('names the customer for a platform key and refuses another customer for a customer session', async () => {
    const a = await createCustomer(ctx, platformScope, { name: 'A' });
    const b = await createCustomer(ctx, platformScope, { name: 'B' });
    await expect(customerOverview(ctx, platformScope, { range: 'hour' })).rejects.toMatchObject({ code: 'bad_request', field: 'customerId' });
    expect((await customerOverview(ctx, platformScope, { range: 'hour', customerId: a.id })).customerId).toBe(a.id);
    await expect(customerOverview(ctx, customerScope(a.id), { range: 'hour', customerId: b.id })).rejects.toBeInstanceOf(DomainError);
  });
});
