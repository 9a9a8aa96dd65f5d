import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, events } from '../../drizzle/schema';
import { startApi, type ApiBed } from '../../tests/support/api-world';
import type { TestCtx } from '../../tests/support/context';
import { snapshot, trpcClient, type Json, type Rest } from '../../tests/support/api';
import { platformScope } from '../domain/context';
import { createApiKey } from '../domain/tenants/api-keys';
import { createCustomer } from '../domain/tenants/customers';
import { createSubscription } from '../domain/subscriptions/subscription-changes';

/**
 * `POST /events/batch`: up to 500 events in one request and one transaction, answered item by item
 * in order. A bad item (unknown field, no audience, too large, another customer, a reused key with
 * other data) is refused in its own result and changes nothing; the others are accepted.
 */
let api: ApiBed;
let ctx: TestCtx;
let rest: Rest;
let platformKey: string;
let a: { id: string; key: string };
let b: { id: string; key: string };

beforeAll(async () => {
  // A small whole-body limit so the 413 is cheap to reach; each event keeps the usual 256 KiB limit.
  api = await startApi('api_batch', { maxBatchBytes: 600 * 1024 });
  ({ ctx, rest, platformKey } = api);
  const tenant = async (name: string) => {
    const c = await createCustomer(ctx, platformScope, { name });
    await createSubscription(ctx, platformScope, {
      customerId: c.id,
      url: 'http://127.0.0.1:9/hook',
      eventTypes: ['order.*'],
    });
    return { id: c.id, key: (await createApiKey(ctx, c.id, 'test')).key };
  };
  a = await tenant('A');
  b = await tenant('B');
});

afterAll(() => api?.stop());

const batch = (key: string, items: unknown[]) => rest('POST', '/events/batch', { key, body: { events: items } });

describe('batch publish', () => {
  it('answers every item in order; bad items are refused alone and store nothing', async () => {
    const res = await batch(platformKey, [
      { type: 'order.created', customerId: a.id, data: { n: 1 } },
      { type: 'order.created', customer_id: a.id, data: { n: 2 } },
      { type: 'order.created', data: { n: 3 } },
      { type: 'order.created', customerId: b.id, data: { n: 4 }, idempotencyKey: 'k-4' },
      { type: 'order.created', customerId: 'cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E', data: {} },
      { type: 'order.created', customerId: a.id, data: { blob: 'x'.repeat(300 * 1024) } },
      { type: 'invoice.paid', customerId: a.id, data: {} },
    ]);
    expect(res.status).toBe(202);
    const r = res.body.results as Json[];
    expect(r).toHaveLength(7);
    expect(r[0]).toMatchObject({ id: expect.stringMatching(/^evt_/), deliveries: 1, duplicate: false });
    expect(r[1]).toEqual({ error: { code: 'bad_request', field: 'customer_id', reason: 'unknown field' } });
    expect(r[2].error).toMatchObject({ code: 'bad_request', field: 'customerId' });
    expect(r[3]).toMatchObject({ id: expect.stringMatching(/^evt_/), deliveries: 1 });
    expect(r[4].error).toMatchObject({ code: 'not_found', field: 'customerId' });
    expect(r[5].error).toMatchObject({ code: 'payload_too_large', field: 'data' });
    expect(r[6]).toMatchObject({ id: expect.stringMatching(/^evt_/), deliveries: 0 });

    const stored = await ctx.db
      .select()
      .from(events)
      .where(inArray(events.id, [r[0].id, r[3].id, r[6].id]));
    expect(stored).toHaveLength(3);
    const total = await ctx.db.select().from(events);
    expect(total).toHaveLength(3);
    const ds = await ctx.db.select().from(deliveries).where(eq(deliveries.eventId, r[3].id));
    expect(ds.map((d) => d.customerId)).toEqual([b.id]);
  });

  it('honours idempotency keys per item: within the batch, and against earlier publishes', async () => {
    const first = await rest('POST', '/events', {
      key: a.key,
      body: { type: 'order.paid', data: { x: 1 }, idempotencyKey: 'pay-1' },
    });
    expect(first.status).toBe(202);
    const res = await batch(a.key, [
      { type: 'order.paid', data: { x: 1 }, idempotencyKey: 'pay-1' },
      { type: 'order.paid', data: { x: 2 }, idempotencyKey: 'pay-2' },
      { type: 'order.paid', data: { x: 2 }, idempotencyKey: 'pay-2' },
      { type: 'order.paid', data: { x: 'different' }, idempotencyKey: 'pay-1' },
    ]);
    expect(res.status).toBe(202);
    const r = res.body.results as Json[];
    expect(r[0]).toMatchObject({ id: first.body.id, duplicate: true });
    expect(r[1]).toMatchObject({ duplicate: false });
    expect(r[2]).toMatchObject({ id: r[1].id, duplicate: true });
    expect(r[3].error).toMatchObject({ code: 'conflict', field: 'idempotencyKey' });
    const ds = await ctx.db.select().from(deliveries).where(eq(deliveries.eventId, r[1].id));
    expect(ds).toHaveLength(1);
  });

  it('a customer key publishes for its own customer only, and may not broadcast', async () => {
    const res = await batch(a.key, [
      { type: 'order.created', data: {} },
      { type: 'order.created', customerId: b.id, data: {} },
      { type: 'order.created', broadcast: true, data: {} },
    ]);
    const r = res.body.results as Json[];
    expect(r[0]).toMatchObject({ deliveries: 1 });
    expect(r[1].error.code).toBe('not_found');
    expect(r[2].error).toMatchObject({ code: 'forbidden', field: 'broadcast' });
    const [stored] = await ctx.db.select().from(events).where(eq(events.id, r[0].id));
    expect(stored!.customerId).toBe(a.id);
  });

  it('refuses the whole request above the body limit (413) or above 500 events (400), changing nothing', async () => {
    const before = await snapshot(ctx);
    const big = Array.from({ length: 3 }, (_, i) => ({
      type: 'order.created',
      customerId: a.id,
      data: { i, blob: 'y'.repeat(250 * 1024) },
    }));
    const tooBig = await batch(platformKey, big);
    expect(tooBig.status).toBe(413);
    const tooMany = await batch(
      platformKey,
      Array.from({ length: 501 }, () => ({ type: 'order.created', customerId: a.id, data: {} })),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.field).toBe('events');
    const empty = await batch(platformKey, []);
    expect(empty.status).toBe(400);
    expect(await snapshot(ctx)).toEqual(before);
  });

  it('is on tRPC too, with the same answers', async () => {
    const client = trpcClient(ctx, platformKey);
    const out = await client.events.publishBatch.mutate({
      events: [
        { type: 'order.created', customerId: a.id, data: {} },
        { type: 'order.created', data: {} },
      ],
    });
    expect(out.results[0]).toMatchObject({ deliveries: 1 });
    expect(out.results[1]).toMatchObject({ error: { code: 'bad_request', field: 'customerId' } });
  });
});
