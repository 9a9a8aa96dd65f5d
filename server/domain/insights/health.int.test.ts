import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestContext, type TestCtx } from '../../../tests/support/context';
import { seedDelivery } from '../../../tests/support/seed';
import { customerScope, platformScope } from '../context';
import { createCustomer } from '../tenants/customers';
import { createSubscription } from '../subscriptions/subscription-changes';
import { subscriptionHealth } from './health';

let ctx: TestCtx;
const now = new Date('2025-03-04T10:31:20Z');

beforeAll(async () => {
  ctx = { ...(await startTestContext('health')), now: () => now };
});

afterAll(() => ctx?.close());

describe('subscription health', () => {
  it('gives every subscription of the customer its success rate, p99 and dead letters, bucket by bucket', async () => {
    const acme = await createCustomer(ctx, platformScope, { name: 'Acme' });
    const other = await createCustomer(ctx, platformScope, { name: 'Other' });
    const good = await createSubscription(ctx, platformScope, {
      customerId: acme.id,
      url: 'http://127.0.0.1/good',
      eventTypes: ['*'],
    });
    const bad = await createSubscription(ctx, platformScope, {
      customerId: acme.id,
      url: 'http://127.0.0.1/bad',
      eventTypes: ['*'],
    });
    const quiet = await createSubscription(ctx, platformScope, {
      customerId: acme.id,
      url: 'http://127.0.0.1/quiet',
      eventTypes: ['*'],
    });
    const theirs = await createSubscription(ctx, platformScope, {
      customerId: other.id,
      url: 'http://127.0.0.1/theirs',
      eventTypes: ['*'],
    });
    await seedDelivery(ctx, acme.id, good.id, 'succeeded', [{ minutesAgo: 1, ok: true, ms: 100 }]);
    await seedDelivery(ctx, acme.id, good.id, 'succeeded', [{ minutesAgo: 4, ok: true, ms: 300 }]);
    await seedDelivery(ctx, acme.id, bad.id, 'dead', [
      { minutesAgo: 20, ok: false, ms: 50 },
      { minutesAgo: 2, ok: false, ms: 70 },
    ]);
    await seedDelivery(ctx, acme.id, bad.id, 'succeeded', [{ minutesAgo: 90, ok: true, ms: 10 }]); // outside the hour
    await seedDelivery(ctx, other.id, theirs.id, 'dead', [{ minutesAgo: 1, ok: false, ms: 999 }]);

    const h = await subscriptionHealth(ctx, customerScope(acme.id), { range: 'hour' });
    expect(h.bucketSeconds).toBe(300);
    expect(h.subscriptions.map((s) => s.subscriptionId).sort()).toEqual([good.id, bad.id, quiet.id].sort());
    const byId = new Map(h.subscriptions.map((s) => [s.subscriptionId, s]));
    expect(byId.get(good.id)).toMatchObject({ attempts: 2, succeeded: 2, successRate: 1, dead: 0 });
    expect(byId.get(bad.id)).toMatchObject({ attempts: 2, succeeded: 0, successRate: 0, latencyP99Ms: 70, dead: 1 });
    expect(byId.get(quiet.id)).toMatchObject({ attempts: 0, successRate: null, latencyP99Ms: null, dead: 0 });
    for (const s of h.subscriptions) expect(s.buckets).toHaveLength(12);
    const goodBuckets = byId.get(good.id)!.buckets;
    expect(goodBuckets.at(-1)).toMatchObject({
      at: '2025-03-04T10:30:00.000Z',
      attempts: 1,
      succeeded: 1,
      latencyP99Ms: 100,
    });
    expect(goodBuckets.at(-2)).toMatchObject({ at: '2025-03-04T10:25:00.000Z', attempts: 1, latencyP99Ms: 300 });
    expect(goodBuckets[0]!.at).toBe('2025-03-04T09:35:00.000Z');

    const day = await subscriptionHealth(ctx, customerScope(acme.id), { range: 'day' });
    const badDay = day.subscriptions.find((s) => s.subscriptionId === bad.id)!;
    expect(badDay.buckets).toHaveLength(24);
    expect(badDay).toMatchObject({ attempts: 3, succeeded: 1 });
  });

  it('a platform key names the customer; a customer cannot read another', async () => {
    const a = await createCustomer(ctx, platformScope, { name: 'A' });
    const b = await createCustomer(ctx, platformScope, { name: 'B' });
    await expect(subscriptionHealth(ctx, platformScope, { range: 'hour' })).rejects.toMatchObject({
      code: 'bad_request',
      field: 'customerId',
    });
    expect((await subscriptionHealth(ctx, platformScope, { range: 'hour', customerId: a.id })).subscriptions).toEqual(
      [],
    );
    await expect(
      subscriptionHealth(ctx, customerScope(a.id), { range: 'hour', customerId: b.id }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});
