import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customers, deliveries, events } from '../../drizzle/schema';
import { createTestContext, type TestCtx } from '../../tests/support/context';
import { BASE_URL, expectUnchanged, restClient, trpcClient, type Json, type Rest } from '../../tests/support/api';
import { ok, startApi, type ApiBed } from '../../tests/support/api-world';
import { bearerContext } from './bearer';
import { createCustomer } from '../domain/tenants/customers';
import { createApiKey } from '../domain/tenants/api-keys';
import { platformScope } from '../domain/context';
import { createRateLimiter } from './rate-limit';
import { serveTrpc } from './trpc-handler';

/**
 * The error contract: 413 above the payload limit, 400 for bodies that are not JSON objects, 404 and
 * 405 for unknown routes and methods, 409 for conflicts, 429 with Retry-After from the per-key rate
 * limiter; each leaves the database as it was.
 */
let api: ApiBed;
let ctx: TestCtx;
let rest: Rest;
let platformKey: string;
let cust: { id: string; key: string };
let subscriptionId: string;

beforeAll(async () => {
  api = await startApi('api_errors');
  ({ ctx, rest, platformKey } = api);
  const c = await createCustomer(ctx, platformScope, { name: 'Errors Inc' });
  cust = { id: c.id, key: (await createApiKey(ctx, c.id, 'test')).key };
  subscriptionId = (
    await ok(
      rest('POST', '/subscriptions', { key: cust.key, body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] } }),
    )
  ).id;
});

afterAll(() => api?.stop());

const unchanged = <T>(fn: () => Promise<T>) => expectUnchanged(ctx, fn);

function expectError(res: { status: number; body: Json }, status: number, code: string, field?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error).toMatchObject({ code, message: expect.any(String) });
  if (field) expect(res.body.error.field).toBe(field);
}

const LIMIT = 256 * 1024;

describe('payload limit (256 KiB)', () => {
  const big = (bytes: number) => JSON.stringify({ type: 'blob.created', data: { blob: 'x'.repeat(bytes) } });

  it('answers 413 to a body declared above the limit', async () => {
    const rawBody = big(LIMIT);
    const res = await unchanged(() =>
      rest('POST', '/events', {
        key: cust.key,
        rawBody,
        headers: { 'content-length': String(Buffer.byteLength(rawBody)) },
      }),
    );
    expectError(res, 413, 'payload_too_large');
    expect(res.body.error.message).toContain(String(LIMIT));
  });

  it('answers 413 to a body above the limit that does not declare its length', async () => {
    const res = await unchanged(() => rest('POST', '/events', { key: cust.key, rawBody: big(LIMIT) }));
    expectError(res, 413, 'payload_too_large');
  });

  it('answers 413 over tRPC too, before tRPC reads the body', async () => {
    const client = trpcClient(ctx, cust.key);
    const err = await unchanged(() =>
      client.events.publish.mutate({ type: 'blob.created', data: { blob: 'x'.repeat(LIMIT) } }).then(
        () => null,
        (e: unknown) => e as Json,
      ),
    );
    expect(err?.data).toMatchObject({ httpStatus: 413, code: 'PAYLOAD_TOO_LARGE', errorCode: 'payload_too_large' });
    expect(err?.message).toMatch(/^request body is \d+ bytes/);
  });

  it('accepts an event just under the limit', async () => {
    const res = await rest('POST', '/events', { key: cust.key, rawBody: big(LIMIT - 1024) });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
  });

  it('answers 413 when the stored event (with id, type and timestamp) would pass the limit', async () => {
    const res = await unchanged(() => rest('POST', '/events', { key: cust.key, rawBody: big(LIMIT - 60) }));
    expectError(res, 413, 'payload_too_large', 'data');
  });
});

describe('malformed requests', () => {
  it('answers 400 to a body that is not JSON', async () => {
    expectError(
      await unchanged(() => rest('POST', '/events', { key: cust.key, rawBody: '{"type": "a.b", data: }' })),
      400,
      'bad_request',
      'body',
    );
  });

  it('answers 400 to a JSON body that is not an object', async () => {
    expectError(
      await unchanged(() => rest('POST', '/subscriptions', { key: cust.key, rawBody: '[1, 2]' })),
      400,
      'bad_request',
      'body',
    );
    expectError(
      await unchanged(() => rest('POST', '/subscriptions', { key: cust.key, rawBody: '"text"' })),
      400,
      'bad_request',
      'body',
    );
  });

  it('answers 400 naming a nested field', async () => {
    const res = await unchanged(() =>
      rest('POST', '/subscriptions', {
        key: cust.key,
        body: { url: 'http://127.0.0.1:9/x', eventTypes: ['order.*', 'bad pattern'] },
      }),
    );
    expectError(res, 400, 'bad_request', 'eventTypes.1');
    expect(res.body.error.message).toContain('bad pattern');
  });

  it('answers 400 to a subscription URL the SSRF guard refuses', async () => {
    const guarded = await createTestContext(api.url, { allowPrivateTargets: false });
    try {
      const res = await restClient(guarded)('POST', '/subscriptions', {
        key: cust.key,
        body: { url: 'http://169.254.169.254/latest', eventTypes: ['*'] },
      });
      expectError(res, 400, 'bad_request', 'url');
    } finally {
      await guarded.close();
    }
  });

  it('answers 404 to an unknown route and 405 (with Allow) to a known path with the wrong method', async () => {
    expectError(await rest('GET', '/nope', { key: cust.key }), 404, 'not_found');
    expectError(await rest('GET', '/events/evt_01JZ3K8Q9V7W2X4Y6A8B0C2D4E/extra', { key: cust.key }), 404, 'not_found');
    const put = await unchanged(() => rest('PUT', '/events', { key: cust.key, body: {} }));
    expectError(put, 405, 'method_not_allowed');
    expect(put.headers.get('allow')).toBe('POST, GET');
    const del = await rest('DELETE', '/openapi.json', {});
    expectError(del, 405, 'method_not_allowed');
    expect(del.headers.get('allow')).toBe('GET');
  });

  it('answers 404 for an id that is well-formed but unknown', async () => {
    expectError(
      await rest('GET', '/subscriptions/{id}', { key: cust.key, params: { id: 'sub_01JZ3K8Q9V7W2X4Y6A8B0C2D4E' } }),
      404,
      'not_found',
    );
  });

  it('answers 400 for a malformed percent-encoding in a path parameter', async () => {
    const res = await rest('GET', '/subscriptions/%E0%A4%A', { key: cust.key });
    expectError(res, 400, 'bad_request', 'id');
  });
});

describe('conflicts (409)', () => {
  it('refuses to replay a delivery that is already pending', async () => {
    const ev = await ok(rest('POST', '/events', { key: cust.key, body: { type: 'order.created', data: {} } }));
    const [d] = await ctx.db.select().from(deliveries).where(eq(deliveries.eventId, ev.id));
    expect(d?.status).toBe('pending');
    expectError(
      await unchanged(() => rest('POST', '/deliveries/{id}/replay', { key: cust.key, params: { id: d!.id } })),
      409,
      'conflict',
    );
  });

  it('refuses a second customer with the same externalId, creating nothing', async () => {
    await ok(rest('POST', '/customers', { key: platformKey, body: { name: 'Ext', externalId: 'acct_42' } }), 201);
    const res = await unchanged(() =>
      rest('POST', '/customers', { key: platformKey, body: { name: 'Ext again', externalId: 'acct_42' } }),
    );
    expectError(res, 409, 'conflict', 'externalId');
    expect(await ctx.db.select().from(customers).where(eq(customers.externalId, 'acct_42'))).toHaveLength(1);
  });

  it('refuses a second dashboard user with the same email (any case)', async () => {
    await ok(
      rest('POST', '/customers/{id}/users', {
        key: platformKey,
        params: { id: cust.id },
        body: { email: 'ops@errors.example', password: 'long enough' },
      }),
      201,
    );
    const res = await unchanged(() =>
      rest('POST', '/customers/{id}/users', {
        key: platformKey,
        params: { id: cust.id },
        body: { email: 'OPS@errors.example', password: 'long enough' },
      }),
    );
    expectError(res, 409, 'conflict', 'email');
  });

  it('returns the first event for a repeated idempotency key, and 409 when the key is reused for another event', async () => {
    const body = { type: 'order.paid', data: { order: 7, lines: [1, 2] }, idempotencyKey: 'order-7-paid' };
    const first = await ok(rest('POST', '/events', { key: cust.key, body }), 202);
    expect(first.duplicate).toBe(false);
    const again = await unchanged(() =>
      ok(rest('POST', '/events', { key: cust.key, body: { ...body, data: { lines: [1, 2], order: 7 } } }), 202),
    );
    expect(again).toEqual({ id: first.id, deliveries: first.deliveries, duplicate: true });
    const other = await unchanged(() =>
      rest('POST', '/events', { key: cust.key, body: { ...body, data: { order: 8 } } }),
    );
    expectError(other, 409, 'conflict', 'idempotencyKey');
    expect(await ctx.db.select().from(events).where(eq(events.idempotencyKey, 'order-7-paid'))).toHaveLength(1);
  });

  it('refuses to cancel a bulk replay that has finished', async () => {
    const replay = await ok(rest('POST', '/replays', { key: cust.key, body: {} }), 202);
    expect(replay.status).toBe('completed');
    expectError(
      await unchanged(() => rest('DELETE', '/replays/{id}', { key: cust.key, params: { id: replay.id } })),
      409,
      'conflict',
    );
  });
});

describe('rate limit (429 with Retry-After)', () => {
  it('gives each key its own bucket and answers 429 with Retry-After once it is empty, over REST', async () => {
    const limited = restClient(ctx, { rateLimiter: createRateLimiter({ perSecond: 0.01, burst: 3 }) });
    const other = (await createApiKey(ctx, cust.id, 'other')).key;
    for (let i = 0; i < 3; i++) expect((await limited('GET', '/subscriptions', { key: cust.key })).status).toBe(200);
    const res = await unchanged(() =>
      limited('POST', '/events', { key: cust.key, body: { type: 'order.created', data: {} } }),
    );
    expectError(res, 429, 'rate_limited');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await limited('GET', '/subscriptions', { key: other })).status).toBe(200);
  });

  it('answers 429 with Retry-After over tRPC', async () => {
    const rateLimiter = createRateLimiter({ perSecond: 0.01, burst: 1 });
    const url = `${BASE_URL}/api/trpc/subscriptions.list?input=${encodeURIComponent(JSON.stringify({}))}`;
    const get = () => {
      const req = new Request(url, { headers: { authorization: `Bearer ${cust.key}` } });
      return serveTrpc(req, () => bearerContext(ctx, req, { baseUrl: BASE_URL, rateLimiter }), {
        maxBodyBytes: ctx.config.maxPayloadBytes,
      });
    };
    expect((await get()).status).toBe(200);
    const res = await get();
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = await res.json();
    expect(body.error.data).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      errorCode: 'rate_limited',
      retryAfterSeconds: expect.any(Number),
    });
  });

  it('refills over time', () => {
    const limiter = createRateLimiter({ perSecond: 2, burst: 1 });
    limiter.check('k', 0);
    expect(() => limiter.check('k', 100)).toThrow(/rate limit/);
    expect(() => limiter.check('k', 700)).not.toThrow();
  });
});

describe('a subscription the API refuses to touch', () => {
  it('keeps it unchanged after an invalid PATCH', async () => {
    const before = await ok(rest('GET', '/subscriptions/{id}', { key: cust.key, params: { id: subscriptionId } }));
    const res = await unchanged(() =>
      rest('PATCH', '/subscriptions/{id}', {
        key: cust.key,
        params: { id: subscriptionId },
        body: { url: 'ftp://example.com', description: 'should not stick' },
      }),
    );
    expectError(res, 400, 'bad_request', 'url');
    expect(await ok(rest('GET', '/subscriptions/{id}', { key: cust.key, params: { id: subscriptionId } }))).toEqual(
      before,
    );
  });
});
