import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attempts, deliveries, events } from '../../../drizzle/schema';
import { startTestContext, type TestCtx } from '../../../tests/support/context';
import { seedDelivery } from '../../../tests/support/seed';
import { customerScope, platformScope } from '../context';
import { createCustomer } from '../tenants/customers';
import { DomainError } from '../errors';
import { newId } from '../ids';
import { customerOverview } from './overview';
import { createSubscription } from '../subscriptions/subscription-changes';

let ctx: TestCtx;
const now = new Date('2025-03-04T10:30:20Z');

beforeAll(async () => {
  ctx = { ...(await startTestContext('overview')), now: () => now };
});

afterAll(() => ctx?.close());

describe('customer overview', () => {
  it('buckets attempts, latency and dead letters per minute for the acting customer only', async () => {
    const acme = await createCustomer(ctx, platformScope, { name: 'Acme' });
    const other = await createCustomer(ctx, platformScope, { name: 'Other' });
    const sub = await createSubscription(ctx, platformScope, {
      customerId: acme.id,
      url: 'http://127.0.0.1/hook',
      eventTypes: ['*'],
    });
    const otherSub = await createSubscription(ctx, platformScope, {
      customerId: other.id,
      url: 'http://127.0.0.1/hook',
      eventTypes: ['*'],
    });
    await seedDelivery(ctx, acme.id, sub.id, 'succeeded', [{ minutesAgo: 0, ok: true, ms: 100 }]);
    await seedDelivery(ctx, acme.id, sub.id, 'succeeded', [{ minutesAgo: 0, ok: true, ms: 300 }]);
    await seedDelivery(ctx, acme.id, sub.id, 'dead', [
      { minutesAgo: 5, ok: false, ms: 50 },
      { minutesAgo: 3, ok: false, ms: 70 },
    ]);
    // Outside the hour, and another customer's traffic: neither may show.
    await seedDelivery(ctx, acme.id, sub.id, 'succeeded', [{ minutesAgo: 90, ok: true, ms: 10 }]);
    await seedDelivery(ctx, other.id, otherSub.id, 'dead', [{ minutesAgo: 1, ok: false, ms: 999 }]);

    const o = await customerOverview(ctx, customerScope(acme.id), { range: 'hour' });
    expect(o.buckets).toHaveLength(60);
    expect(o.bucketSeconds).toBe(60);
    expect(o.buckets.at(-1)!.at).toBe('2025-03-04T10:30:00.000Z');
    expect(o.buckets[0]!.at).toBe('2025-03-04T09:31:00.000Z');
    const last = o.buckets.at(-1)!;
    expect(last).toMatchObject({ attempts: 2, succeeded: 2, failed: 0, latencyP50Ms: 200, deadLettered: 0 });
    const threeAgo = o.buckets.find((b) => b.at === '2025-03-04T10:27:00.000Z')!;
    expect(threeAgo).toMatchObject({ attempts: 1, failed: 1, deadLettered: 1 });
    expect(o.buckets.find((b) => b.at === '2025-03-04T10:29:00.000Z')).toMatchObject({
      attempts: 0,
      latencyP50Ms: null,
      deadLettered: 0,
    });
    expect(o.totals).toMatchObject({ attempts: 4, succeeded: 2, successRate: 0.5, deadLettered: 1 });
    expect(o.current).toEqual({ pending: 0, held: 0, dead: 1, succeeded: 3 });

    const day = await customerOverview(ctx, customerScope(acme.id), { range: 'day' });
    expect(day.buckets).toHaveLength(96);
    expect(day.buckets.at(-1)!.at).toBe('2025-03-04T10:30:00.000Z');
    expect(day.totals.attempts).toBe(5);
  });

  it('keeps a dead letter in the history after it is replayed, and counts those that died without an attempt', async () => {
    const acme = await createCustomer(ctx, platformScope, { name: 'Replayed' });
    const sub = await createSubscription(ctx, platformScope, {
      customerId: acme.id,
      url: 'http://127.0.0.1/hook',
      eventTypes: ['*'],
    });
    const died = await seedDelivery(ctx, acme.id, sub.id, 'dead', [
      { minutesAgo: 20, ok: false, ms: 50 },
      { minutesAgo: 10, ok: false, ms: 50 },
    ]);
    // Replayed two minutes ago and delivered: the delivery is no longer dead, and its completed_at
    // moved, but it did die ten minutes ago.
    await ctx.db
      .update(deliveries)
      .set({
        status: 'succeeded',
        cycleStart: 2,
        attemptCount: 3,
        replayCount: 1,
        completedAt: new Date(now.getTime() - 120_000),
      })
      .where(eq(deliveries.id, died));
    await ctx.db.insert(attempts).values({
      id: newId('attempt'),
      deliveryId: died,
      subscriptionId: sub.id,
      customerId: acme.id,
      attemptSeq: 3,
      trigger: 'replay',
      status: 'succeeded',
      url: 'http://127.0.0.1/hook',
      requestHeaders: {},
      responseStatus: 200,
      latencyMs: 10,
      startedAt: new Date(now.getTime() - 120_000),
    });
    // Died without an attempt (held deliveries discarded on resume) four minutes ago.
    const eventId = newId('event');
    await ctx.db.insert(events).values({
      id: eventId,
      customerId: acme.id,
      type: 'order.created',
      body: '{}',
      retentionUntil: new Date(now.getTime() + 86_400_000),
    });
    await ctx.db.insert(deliveries).values({
      id: newId('delivery'),
      eventId,
      subscriptionId: sub.id,
      customerId: acme.id,
      eventType: 'order.created',
      status: 'dead',
      completedAt: new Date(now.getTime() - 4 * 60_000),
    });
    // A 410 answer holds the delivery (and disables the subscription): not a dead letter.
    const gone = await seedDelivery(ctx, acme.id, sub.id, 'succeeded', [{ minutesAgo: 6, ok: false, ms: 5 }]);
    await ctx.db.update(attempts).set({ responseStatus: 410 }).where(eq(attempts.deliveryId, gone));
    await ctx.db.update(deliveries).set({ status: 'held', completedAt: null }).where(eq(deliveries.id, gone));

    const o = await customerOverview(ctx, customerScope(acme.id), { range: 'hour' });
    const at = (m: number) => new Date(Math.floor(now.getTime() / 60_000) * 60_000 - m * 60_000).toISOString();
    expect(o.buckets.find((b) => b.at === at(10))!.deadLettered).toBe(1);
    expect(o.buckets.find((b) => b.at === at(4))!.deadLettered).toBe(1);
    expect(o.buckets.find((b) => b.at === at(6))!.deadLettered).toBe(0);
    expect(o.buckets.find((b) => b.at === at(20))!.deadLettered).toBe(0);
    expect(o.totals.deadLettered).toBe(2);
    expect(o.current.dead).toBe(1);
  });

  it('names the customer for a platform key and refuses another customer for a customer session', async () => {
    const a = await createCustomer(ctx, platformScope, { name: 'A' });
    const b = await createCustomer(ctx, platformScope, { name: 'B' });
    await expect(customerOverview(ctx, platformScope, { range: 'hour' })).rejects.toMatchObject({
      code: 'bad_request',
      field: 'customerId',
    });
    expect((await customerOverview(ctx, platformScope, { range: 'hour', customerId: a.id })).customerId).toBe(a.id);
    await expect(
      customerOverview(ctx, customerScope(a.id), { range: 'hour', customerId: b.id }),
    ).rejects.toBeInstanceOf(DomainError);
  });
});
