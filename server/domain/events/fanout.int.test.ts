import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { broadcasts, events } from '../../../drizzle/schema';
import { startEngine, deliveriesOf, expectVerified, waitFannedOut, waitForStatus } from '../../../tests/support/engine';
import { fileScoped } from '../../../tests/support/file-scoped';
import { customerScope, platformScope } from '../context';
import { createCustomer } from '../tenants/customers';
import { publishEvent } from './publish';
import { createSubscription } from '../subscriptions/subscription-changes';

const engine = fileScoped(() => startEngine('fanout'));

async function subscribe(customerId: string, eventTypes: string[], active = true) {
  const r = await engine.receiver();
  const sub = await createSubscription(engine.ctx, platformScope, {
    customerId,
    url: `${r.url}/hook`,
    eventTypes,
    active,
  });
  return { sub, r };
}

describe('fan-out', () => {
  it('a broadcast reaches every customer’s matching subscriptions, and only those; a paused one holds its share', async () => {
    const { ctx } = engine;
    const a = await createCustomer(ctx, platformScope, { name: 'A' });
    const b = await createCustomer(ctx, platformScope, { name: 'B' });
    const c = await createCustomer(ctx, platformScope, { name: 'C' });
    const aCharges = await subscribe(a.id, ['charge.*']);
    const aInvoices = await subscribe(a.id, ['invoice.*']);
    const aInactive = await subscribe(a.id, ['charge.**'], false);
    const bAll = await subscribe(b.id, ['*']);
    const cExact = await subscribe(c.id, ['charge.succeeded']);
    const cDeep = await subscribe(c.id, ['charge.refund.*']);

    const published = await publishEvent(ctx, platformScope, {
      type: 'charge.succeeded',
      data: { amount: 1 },
      broadcast: true,
    });
    expect(published.duplicate).toBe(false);
    // A broadcast is fanned out by a durable job enqueued with the event, not inline.
    expect(published.deliveries).toBeNull();
    await waitFannedOut(engine.ctx, published.id, broadcasts);

    const ds = await deliveriesOf(ctx, published.id);
    const reached = new Set(ds.map((d) => d.subscriptionId));
    expect(reached).toEqual(new Set([aCharges.sub.id, aInactive.sub.id, bAll.sub.id, cExact.sub.id]));
    expect(ds.map((d) => d.customerId).sort()).toEqual([a.id, a.id, b.id, c.id].sort());
    const [broadcast] = await ctx.db.select().from(broadcasts).where(eq(broadcasts.id, published.id));
    expect(broadcast!.deliveryCount).toBe(4);
    // Each customer reached holds its own copy of the broadcast (same id), counting its own deliveries;
    // a customer it did not reach has none.
    const copies = await ctx.db.select().from(events).where(eq(events.id, published.id));
    expect(
      Object.fromEntries(copies.map((e) => [e.customerId, [e.broadcast, e.deliveryCount, e.body === broadcast!.body]])),
    ).toEqual({
      [a.id]: [true, 2, true],
      [b.id]: [true, 1, true],
      [c.id]: [true, 1, true],
    });
    expect(ds.find((d) => d.subscriptionId === aInactive.sub.id)!.status).toBe('held');

    for (const d of ds.filter((x) => x.subscriptionId !== aInactive.sub.id))
      await waitForStatus(ctx, d.id, 'succeeded');
    for (const { r, sub } of [aCharges, bAll, cExact]) {
      expect(r.received).toHaveLength(1);
      expect(r.received[0]!.headers['webhook-id']).toBe(published.id);
      expectVerified(r.received, sub.secret);
    }
    for (const { r } of [aInvoices, aInactive, cDeep]) expect(r.received).toHaveLength(0);
  });

  it('a customer-scoped event reaches only that customer’s matching subscriptions, inline', async () => {
    const { ctx } = engine;
    const a = await createCustomer(ctx, platformScope, { name: 'Scoped A' });
    const b = await createCustomer(ctx, platformScope, { name: 'Scoped B' });
    const aAll = await subscribe(a.id, ['*']);
    const aDeep = await subscribe(a.id, ['charge.**']);
    const aOne = await subscribe(a.id, ['charge.*']);
    const aOff = await subscribe(a.id, ['*'], false);
    const bAll = await subscribe(b.id, ['*']);

    const published = await publishEvent(ctx, customerScope(a.id), { type: 'charge.refund.created', data: {} });
    expect(published.deliveries).toBe(3);
    const ds = await deliveriesOf(ctx, published.id);
    expect(new Set(ds.map((d) => d.subscriptionId))).toEqual(new Set([aAll.sub.id, aDeep.sub.id, aOff.sub.id]));
    expect(ds.find((d) => d.subscriptionId === aOff.sub.id)!.status).toBe('held');
    for (const d of ds.filter((x) => x.subscriptionId !== aOff.sub.id)) await waitForStatus(ctx, d.id, 'succeeded');
    expectVerified(aAll.r.received, aAll.sub.secret);
    expectVerified(aDeep.r.received, aDeep.sub.secret);
    expect(aAll.r.received).toHaveLength(1);
    expect(aDeep.r.received).toHaveLength(1);
    for (const { r } of [aOne, aOff, bAll]) expect(r.received).toHaveLength(0);
  });

  it('a customer with more subscriptions than the inline limit is fanned out by a job', async () => {
    const { ctx } = engine;
    const wide = await createCustomer(ctx, platformScope, { name: 'Wide' });
    const r = await engine.receiver();
    for (let i = 0; i < 201; i++)
      await createSubscription(ctx, platformScope, {
        customerId: wide.id,
        url: `${r.url}/${i}`,
        eventTypes: ['order.*'],
      });
    const published = await publishEvent(ctx, platformScope, { type: 'order.created', data: {}, customerId: wide.id });
    expect(published.deliveries).toBeNull();
    await waitFannedOut(engine.ctx, published.id);
    expect(await deliveriesOf(ctx, published.id)).toHaveLength(201);
    await r.waitFor(201, 60_000);
    expect(new Set(r.received.map((x) => x.headers['webhook-id']))).toEqual(new Set([published.id]));
  });
});

describe('idempotent publish', () => {
  it('the same key returns the same event and fans out once', async () => {
    const { ctx } = engine;
    const a = await createCustomer(ctx, platformScope, { name: 'Idem' });
    const { r } = await subscribe(a.id, ['*']);
    const first = await publishEvent(ctx, platformScope, {
      type: 'charge.succeeded',
      data: { n: 1 },
      customerId: a.id,
      idempotencyKey: 'order-42',
    });
    const again = await publishEvent(ctx, platformScope, {
      type: 'charge.succeeded',
      data: { n: 1 },
      customerId: a.id,
      idempotencyKey: 'order-42',
    });
    const viaCustomerKey = await publishEvent(ctx, customerScope(a.id), {
      type: 'charge.succeeded',
      data: { n: 1 },
      idempotencyKey: 'order-42',
    });
    expect(first).toMatchObject({ duplicate: false, deliveries: 1 });
    expect(again).toEqual({ id: first.id, deliveries: 1, duplicate: true });
    expect(viaCustomerKey).toEqual({ id: first.id, deliveries: 1, duplicate: true });
    // The same key for a different event is a conflict, and creates nothing.
    await expect(
      publishEvent(ctx, platformScope, {
        type: 'charge.succeeded',
        data: { n: 2 },
        customerId: a.id,
        idempotencyKey: 'order-42',
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await ctx.db.select({ id: events.id }).from(events).where(eq(events.customerId, a.id))).toHaveLength(1);
    expect(await deliveriesOf(ctx, first.id)).toHaveLength(1);
    await r.waitFor(1);
    // Give a (wrong) second fan-out the time to show up before checking there was none.
    await waitForStatus(ctx, (await deliveriesOf(ctx, first.id))[0]!.id, 'succeeded');
    const third = await publishEvent(ctx, platformScope, {
      type: 'charge.succeeded',
      data: {},
      customerId: a.id,
      idempotencyKey: 'order-43',
    });
    await r.waitFor(2);
    expect(r.received.map((x) => x.headers['webhook-id'])).toEqual([first.id, third.id]);
    expect(JSON.parse(r.received[0]!.body)).toMatchObject({ data: { n: 1 } });
  });

  it('concurrent publishes with one key create one event', async () => {
    const { ctx } = engine;
    const a = await createCustomer(ctx, platformScope, { name: 'Race' });
    await subscribe(a.id, ['*']);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        publishEvent(ctx, platformScope, {
          type: 'charge.succeeded',
          data: { order: 7 },
          customerId: a.id,
          idempotencyKey: 'same',
        }),
      ),
    );
    expect(new Set(results.map((x) => x.id)).size).toBe(1);
    expect(results.filter((x) => !x.duplicate)).toHaveLength(1);
    expect(await ctx.db.select({ id: events.id }).from(events).where(eq(events.customerId, a.id))).toHaveLength(1);
    expect(await deliveriesOf(ctx, results[0]!.id)).toHaveLength(1);
  });

  it('different customers, and broadcasts, may reuse a key', async () => {
    const { ctx } = engine;
    const a = await createCustomer(ctx, platformScope, { name: 'Key A' });
    const b = await createCustomer(ctx, platformScope, { name: 'Key B' });
    const forA = await publishEvent(ctx, platformScope, {
      type: 'x.y',
      data: {},
      customerId: a.id,
      idempotencyKey: 'shared',
    });
    const forB = await publishEvent(ctx, customerScope(b.id), { type: 'x.y', data: {}, idempotencyKey: 'shared' });
    const broadcast = await publishEvent(ctx, platformScope, {
      type: 'x.y',
      data: {},
      broadcast: true,
      idempotencyKey: 'shared',
    });
    const broadcastAgain = await publishEvent(ctx, platformScope, {
      type: 'x.y',
      data: {},
      broadcast: true,
      idempotencyKey: 'shared',
    });
    expect(new Set([forA.id, forB.id, broadcast.id]).size).toBe(3);
    expect([forA.duplicate, forB.duplicate, broadcast.duplicate]).toEqual([false, false, false]);
    expect(broadcastAgain).toMatchObject({ id: broadcast.id, duplicate: true });
  });
});
