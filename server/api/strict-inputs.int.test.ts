import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { broadcasts, deliveries, events } from '../../drizzle/schema';
import { createTestContext } from '../../tests/support/context';
import {
  BASE_URL,
  callProcedure,
  expectUnchanged,
  failure,
  restClient,
  roomyLimiter,
  trpcClient,
  type Json,
} from '../../tests/support/api';
import { ok, startApi } from '../../tests/support/api-world';
import { fileScoped } from '../../tests/support/file-scoped';
import { platformScope } from '../domain/context';
import { createApiKey } from '../domain/tenants/api-keys';
import { createCustomer } from '../domain/tenants/customers';
import { runFanOutJob } from '../domain/events/fanout';
import { createSubscription } from '../domain/subscriptions/subscription-changes';
import { handleRest } from './rest';
import { appRouter } from './root';

/**
 * Unknown fields are bad input, never ignored: a typo'd `customer_id` once made an event meant for
 * one customer a broadcast to all of them. Every input (REST body, REST query string, tRPC) refuses
 * fields it does not know with a 400 listing every problem at once, and an event goes to every
 * customer only when the platform asks for it with `"broadcast": true`.
 */
const api = fileScoped(() => startApi('api_strict'));
let a: { id: string; key: string; subscriptionId: string };
let b: { id: string; key: string; subscriptionId: string };

beforeAll(async () => {
  const tenant = async (name: string) => {
    const c = await createCustomer(api.ctx, platformScope, { name });
    const sub = await createSubscription(api.ctx, platformScope, {
      customerId: c.id,
      url: 'http://127.0.0.1:9/hook',
      eventTypes: ['*'],
    });
    return { id: c.id, key: (await createApiKey(api.ctx, c.id, 'test')).key, subscriptionId: sub.id };
  };
  a = await tenant('A');
  b = await tenant('B');
});

const unchanged = <T>(fn: () => Promise<T>) => expectUnchanged(api.ctx, fn);

/** A 400 whose top-level field is `field` and whose `errors` name exactly `fields` (in any order). */
function expectBadRequest(res: { status: number; body: Json }, field: string, fields: string[] = [field]) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error).toMatchObject({ code: 'bad_request', field, message: expect.stringContaining(field) });
  expect(res.body.errors.map((e: Json) => e.field).sort()).toEqual([...fields].sort());
  for (const e of res.body.errors) expect(e.reason).toEqual(expect.any(String));
}

const unknownField = (field: string) => ({ field, reason: 'unknown field' });

describe('a typo in customerId', () => {
  const typo = () => ({ type: 'charge.x', customer_id: a.id, data: { secret: 'for A only' } });

  it('is a 400 naming customer_id over REST, and nothing is stored or broadcast', async () => {
    const res = await unchanged(() => api.rest('POST', '/events', { key: api.platformKey, body: typo() }));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'bad_request', field: 'customer_id' });
    expect(res.body.errors).toContainEqual(unknownField('customer_id'));
    expect(await api.ctx.db.select().from(events).where(eq(events.type, 'charge.x'))).toEqual([]);
    for (const t of [a, b]) expect((await ok(api.rest('GET', '/events', { key: t.key }))).data).toEqual([]);
  });

  it('is a 400 naming customer_id over tRPC, with the same list in the error data', async () => {
    const err = await unchanged(() =>
      failure(trpcClient(api.ctx, api.platformKey).events.publish.mutate(typo() as never)),
    );
    expect(err?.data).toMatchObject({
      httpStatus: 400,
      code: 'BAD_REQUEST',
      errorCode: 'bad_request',
      field: 'customer_id',
    });
    expect(err?.data.errors).toContainEqual(unknownField('customer_id'));
    expect(await api.ctx.db.select().from(events).where(eq(events.type, 'charge.x'))).toEqual([]);
  });

  it('is refused from a customer key too (its own event, but still a typo)', async () => {
    const res = await unchanged(() => api.rest('POST', '/events', { key: a.key, body: typo() }));
    expectBadRequest(res, 'customer_id');
  });
});

describe('publishing needs exactly one of customerId or "broadcast": true', () => {
  it('with a platform key, neither is a 400 naming customerId (over REST and tRPC)', async () => {
    expectBadRequest(
      await unchanged(() =>
        api.rest('POST', '/events', { key: api.platformKey, body: { type: 'order.created', data: {} } }),
      ),
      'customerId',
    );
    const err = await unchanged(() =>
      failure(trpcClient(api.ctx, api.platformKey).events.publish.mutate({ type: 'order.created', data: {} })),
    );
    expect(err?.data).toMatchObject({
      httpStatus: 400,
      errorCode: 'bad_request',
      field: 'customerId',
      errors: [expect.objectContaining({ field: 'customerId' })],
    });
  });

  it('with a platform key, "broadcast": false and no customerId is a 400 naming customerId', async () => {
    expectBadRequest(
      await unchanged(() =>
        api.rest('POST', '/events', {
          key: api.platformKey,
          body: { type: 'order.created', data: {}, broadcast: false },
        }),
      ),
      'customerId',
    );
  });

  it('both is a 400 naming broadcast (over REST and tRPC)', async () => {
    const body = { type: 'order.created', data: {}, customerId: a.id, broadcast: true };
    expectBadRequest(await unchanged(() => api.rest('POST', '/events', { key: api.platformKey, body })), 'broadcast');
    const err = await unchanged(() => failure(trpcClient(api.ctx, api.platformKey).events.publish.mutate(body)));
    expect(err?.data).toMatchObject({ httpStatus: 400, errorCode: 'bad_request', field: 'broadcast' });
  });

  it('"broadcast" must be a boolean', async () => {
    expectBadRequest(
      await unchanged(() =>
        api.rest('POST', '/events', {
          key: api.platformKey,
          body: { type: 'order.created', data: {}, broadcast: 'yes' },
        }),
      ),
      'broadcast',
    );
  });

  it('"broadcast": true from a platform key reaches every customer', async () => {
    const sent = await ok(
      api.rest('POST', '/events', {
        key: api.platformKey,
        body: { type: 'news.posted', data: { to: 'all' }, broadcast: true },
      }),
      202,
    );
    expect(sent).toMatchObject({ id: expect.stringMatching(/^evt_/), deliveries: null, duplicate: false });
    // Stored once as a broadcast; each customer gets its copy when the fan-out reaches it.
    expect(await api.ctx.db.select().from(broadcasts).where(eq(broadcasts.id, sent.id))).toHaveLength(1);
    expect(await api.ctx.db.select().from(events).where(eq(events.id, sent.id))).toEqual([]);
    await runFanOutJob(api.ctx, { eventId: sent.id });
    expect(
      (await api.ctx.db.select().from(events).where(eq(events.id, sent.id)))
        .map((e) => [e.customerId, e.broadcast])
        .sort(),
    ).toEqual(
      [
        [a.id, true],
        [b.id, true],
      ].sort(),
    );
    const ds = await api.ctx.db.select().from(deliveries).where(eq(deliveries.eventId, sent.id));
    expect(ds.map((d) => d.customerId).sort()).toEqual([a.id, b.id].sort());
    // Each customer sees it once, with no customer named and only its own delivery counted.
    for (const t of [a, b]) {
      const seen = (await ok(api.rest('GET', '/events', { key: t.key, query: { type: 'news.posted' } }))).data;
      expect(seen.map((e: Json) => [e.id, e.customerId, e.deliveryCount])).toEqual([[sent.id, null, 1]]);
    }
    // The platform sees it once too, not once per customer's copy, with every delivery counted.
    const all = (await ok(api.rest('GET', '/events', { key: api.platformKey, query: { type: 'news.posted' } }))).data;
    expect(all.map((e: Json) => [e.id, e.customerId, e.deliveryCount])).toEqual([[sent.id, null, 2]]);
    const read = await ok(api.rest('GET', '/events/{id}', { key: api.platformKey, params: { id: sent.id } }));
    expect([read.customerId, read.deliveriesTotal]).toEqual([null, 2]);
  });

  it('"broadcast": true works over tRPC, and a repeat with its idempotency key returns the first', async () => {
    const client = trpcClient(api.ctx, api.platformKey);
    const first = await client.events.publish.mutate({
      type: 'news.digest',
      data: { n: 1 },
      broadcast: true,
      idempotencyKey: 'digest-1',
    });
    expect(first).toMatchObject({ deliveries: null, duplicate: false });
    const again = await unchanged(() =>
      client.events.publish.mutate({
        type: 'news.digest',
        data: { n: 1 },
        broadcast: true,
        idempotencyKey: 'digest-1',
      }),
    );
    expect(again).toMatchObject({ id: first.id, duplicate: true });
  });

  it('a customer key may not broadcast (403), over REST and tRPC', async () => {
    const res = await unchanged(() =>
      api.rest('POST', '/events', { key: a.key, body: { type: 'order.created', data: {}, broadcast: true } }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'forbidden', field: 'broadcast' });
    const err = await unchanged(() =>
      failure(trpcClient(api.ctx, a.key).events.publish.mutate({ type: 'order.created', data: {}, broadcast: true })),
    );
    expect(err?.data).toMatchObject({ httpStatus: 403, errorCode: 'forbidden' });
  });

  it('a customer key that names no customer publishes for its own customer', async () => {
    const sent = await ok(api.rest('POST', '/events', { key: a.key, body: { type: 'order.created', data: {} } }), 202);
    expect(sent.deliveries).toBe(1);
    const [row] = await api.ctx.db.select().from(events).where(eq(events.id, sent.id));
    expect(row?.customerId).toBe(a.id);
    const own = await ok(
      api.rest('POST', '/events', {
        key: a.key,
        body: { type: 'order.created', data: {}, customerId: a.id, broadcast: false },
      }),
      202,
    );
    expect(own.deliveries).toBe(1);
  });
});

describe('unknown fields elsewhere', () => {
  it('POST /subscriptions refuses an unknown field and creates nothing', async () => {
    const res = await unchanged(() =>
      api.rest('POST', '/subscriptions', {
        key: a.key,
        body: { url: 'http://127.0.0.1:9/x', eventTypes: ['*'], event_filter: 'charge.*' },
      }),
    );
    expectBadRequest(res, 'event_filter');
    expect(res.body.errors).toEqual([unknownField('event_filter')]);
  });

  it('PATCH /subscriptions/{id} refuses a misspelt field and changes nothing', async () => {
    const res = await unchanged(() =>
      api.rest('PATCH', '/subscriptions/{id}', {
        key: a.key,
        params: { id: a.subscriptionId },
        body: { descripton: 'typo', active: false },
      }),
    );
    expectBadRequest(res, 'descripton');
  });

  it('PATCH /subscriptions/{id} refuses an id in the body: the path names the subscription', async () => {
    const res = await unchanged(() =>
      api.rest('PATCH', '/subscriptions/{id}', {
        key: a.key,
        params: { id: a.subscriptionId },
        body: { id: b.subscriptionId, description: 'hijack' },
      }),
    );
    expectBadRequest(res, 'id');
  });

  it('GET /events refuses an unknown query parameter', async () => {
    expectBadRequest(await api.rest('GET', '/events', { key: a.key, query: { bogus: '1' } }), 'bogus');
    expectBadRequest(
      await api.rest('GET', '/events', { key: a.key, query: { event_type: 'order.*', limit: '5' } }),
      'event_type',
    );
  });

  it('GET /subscriptions/{id} refuses an id in the query string', async () => {
    expectBadRequest(
      await api.rest('GET', '/subscriptions/{id}', {
        key: a.key,
        params: { id: a.subscriptionId },
        query: { id: b.subscriptionId },
      }),
      'id',
    );
  });

  it('POST /events refuses a query string: POST inputs go in the body', async () => {
    const res = await unchanged(() =>
      api.rest('POST', '/events', {
        key: api.platformKey,
        query: { customerId: a.id },
        body: { type: 'order.created', data: {}, broadcast: true },
      }),
    );
    expectBadRequest(res, 'customerId');
  });

  it('answers 401, not 400, to a caller without a key whatever the input', async () => {
    const res = await unchanged(() =>
      api.rest('POST', '/events', {
        query: { customerId: a.id },
        body: { type: 'order.created', data: {}, colour: 'blue' },
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(401);
    expect(
      (
        await api.rest('GET', '/subscriptions/{id}', {
          params: { id: a.subscriptionId },
          query: { id: b.subscriptionId },
        })
      ).status,
    ).toBe(401);
  });

  it('POST /events refuses a __proto__ key rather than reading fields through it', async () => {
    const rawBody = `{"type":"order.created","data":{},"__proto__":{"customerId":"${a.id}"}}`;
    const res = await unchanged(() => api.rest('POST', '/events', { key: api.platformKey, rawBody }));
    expectBadRequest(res, '__proto__');
  });

  it('GET /events refuses a query parameter given twice (one would be ignored)', async () => {
    const req = new Request(`${BASE_URL}/api/v1/events?type=order.*&type=invoice.*`, {
      headers: { authorization: `Bearer ${a.key}` },
    });
    const res = await handleRest(req, '/events', api.ctx, BASE_URL, { rateLimiter: roomyLimiter() });
    expectBadRequest({ status: res.status, body: await res.json() }, 'type');
  });

  it('lists every problem of a request at once, nested ones with their path', async () => {
    const body = {
      eventTypes: [],
      customer_id: 'x',
      retryPolicy: { maxAttempts: 0, backoff: 'exponential' },
      timeoutMs: 5,
      colour: 'blue',
    };
    const res = await unchanged(() => api.rest('POST', '/subscriptions', { key: a.key, body }));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.errors.map((e: Json) => e.field).sort()).toEqual(
      [
        'colour',
        'customer_id',
        'eventTypes',
        'retryPolicy.backoff',
        'retryPolicy.maxAttempts',
        'timeoutMs',
        'url',
      ].sort(),
    );
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        unknownField('customer_id'),
        unknownField('colour'),
        unknownField('retryPolicy.backoff'),
      ]),
    );
    const first = res.body.errors[0];
    expect(res.body.error).toMatchObject({
      code: 'bad_request',
      field: first.field,
      message: `${first.field}: ${first.reason}`,
    });
  });

  it('lists every problem over tRPC too', async () => {
    const err = await unchanged(() =>
      failure(
        trpcClient(api.ctx, a.key).subscriptions.create.mutate({
          url: 'http://127.0.0.1:9/x',
          eventTypes: ['bad pattern'],
          colour: 'blue',
        } as never),
      ),
    );
    expect(err?.data).toMatchObject({ httpStatus: 400, errorCode: 'bad_request' });
    expect(err?.data.errors.map((e: Json) => e.field).sort()).toEqual(['colour', 'eventTypes.0']);
  });

  it('a 400 that is not about the input schema carries errors[] too', async () => {
    const guarded = await createTestContext(api.url, { allowPrivateTargets: false });
    try {
      const res = await restClient(guarded)('POST', '/subscriptions', {
        key: a.key,
        body: { url: 'http://169.254.169.254/latest', eventTypes: ['*'] },
      });
      expectBadRequest(res, 'url');
    } finally {
      await guarded.close();
    }
  });

  it('every tRPC procedure refuses a field it does not know, and changes nothing', async () => {
    const client = trpcClient(api.ctx, api.platformKey);
    const procedures = Object.entries(
      appRouter._def.procedures as unknown as Record<string, { _def: { type: 'query' | 'mutation' } }>,
    );
    expect(procedures.length).toBeGreaterThan(20);
    for (const [name, p] of procedures) {
      const err = await unchanged(() => failure(callProcedure(client, name, p._def.type, { zz_unknown: 1 })));
      expect(err?.data?.httpStatus, `${name}: ${JSON.stringify(err)}`).toBe(400);
      expect(err?.data.errors, name).toContainEqual(unknownField('zz_unknown'));
    }
  });
});
