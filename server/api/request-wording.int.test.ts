import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestContext, type TestCtx } from '../../tests/support/context';
import { restClient, snapshot, type Rest } from '../../tests/support/api';
import { createTenant, ok } from '../../tests/support/api-world';
import { createApiKey } from '../domain/tenants/api-keys';
import { createRateLimiter } from './rate-limit';

/**
 * What the API says and what it reads besides the body: waits in minutes, not "884 s"; "an event
 * id", not "a event id"; a field that cannot change says so; an `Idempotency-Key` header is the
 * body's `idempotencyKey`, never silently ignored.
 */
let ctx: TestCtx;
let rest: Rest;
let c: { id: string; key: string };

beforeAll(async () => {
  // Bulk replays at most every 15 minutes, so the second one is told how long to wait.
  ctx = await startTestContext('api_wording', { replayMinIntervalMs: 15 * 60_000 });
  rest = restClient(ctx);
  const platformKey = (await createApiKey(ctx, null, 'test')).key;
  c = await createTenant(rest, platformKey, 'Wording', { name: 'k' });
});

afterAll(() => ctx?.close());

describe('messages', () => {
  it('names an id kind with the right article', async () => {
    const res = await rest('GET', '/events/{id}', { key: c.key, params: { id: 'sub_01JZ3K8Q9V7W2X4Y6A8B0C2D4E' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ field: 'id' });
    expect(res.body.error.message).toContain('must be an event id (evt_…)');
  });

  it('says a bulk replay refused for now may try again in minutes, not seconds', async () => {
    await ok(rest('POST', '/replays', { key: c.key, body: {} }), 202);
    const refused = await rest('POST', '/replays', { key: c.key, body: {} });
    expect(refused.status, JSON.stringify(refused.body)).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(850);
    expect(refused.body.error.message).toMatch(/try again in 15 minutes$/);
  });

  it('says an API rate limit may be tried again in seconds, in words', async () => {
    const tight = restClient(ctx, { rateLimiter: createRateLimiter({ perSecond: 0.5, burst: 1 }) });
    await ok(tight('GET', '/subscriptions', { key: c.key }));
    const refused = await tight('GET', '/subscriptions', { key: c.key });
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toMatch(/try again in 2 seconds$/);
  });

  it("refuses to change a subscription's signature scheme with the reason, naming the field, and changes nothing", async () => {
    const sub = await ok(
      rest('POST', '/subscriptions', { key: c.key, body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] } }),
      201,
    );
    const before = await snapshot(ctx);
    const res = await rest('PATCH', '/subscriptions/{id}', {
      key: c.key,
      params: { id: sub.id },
      body: { signatureScheme: 'v1a' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'bad_request', field: 'signatureScheme' });
    expect(res.body.error.message).toContain('cannot be changed; create a new subscription');
    expect(res.body.error.message).not.toContain('unknown field');
    expect(await snapshot(ctx)).toEqual(before);
  });
});

describe('Idempotency-Key header on POST /events', () => {
  const publish = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    rest('POST', '/events', { key: c.key, body: { type: 'order.created', data: { n: 1 }, ...body }, headers });

  it('is the idempotency key: a second publish with the same header returns the first event', async () => {
    const first = await ok(publish({}, { 'idempotency-key': 'order-42' }), 202);
    const again = await ok(publish({}, { 'idempotency-key': 'order-42' }), 202);
    expect(again).toMatchObject({ id: first.id, duplicate: true });
    const reused = await publish({ data: { n: 2 } }, { 'idempotency-key': 'order-42' });
    expect(reused.status).toBe(409);
    const viaBody = await ok(publish({ idempotencyKey: 'order-42' }), 202);
    expect(viaBody.id).toBe(first.id);
    const other = await ok(publish({}, { 'idempotency-key': 'order-43' }), 202);
    expect(other.id).not.toBe(first.id);
  });

  it('may repeat the body field; differing from it is a 400 and nothing is published', async () => {
    const same = await ok(publish({ idempotencyKey: 'order-50' }, { 'idempotency-key': 'order-50' }), 202);
    expect(same.id).toMatch(/^evt_/);
    const before = await snapshot(ctx);
    const res = await publish({ idempotencyKey: 'order-51' }, { 'idempotency-key': 'order-52' });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'bad_request', field: 'idempotencyKey' });
    expect(res.body.error.message).toContain('Idempotency-Key header');
    expect(await snapshot(ctx)).toEqual(before);
  });

  it('is checked like the body field', async () => {
    const res = await publish({}, { 'idempotency-key': 'x'.repeat(10_000) });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({ field: 'idempotencyKey' });
  });

  it('is refused on a batch, where each event carries its own key', async () => {
    const before = await snapshot(ctx);
    const res = await rest('POST', '/events/batch', {
      key: c.key,
      body: { events: [{ type: 'order.created', data: {} }] },
      headers: { 'idempotency-key': 'batch-1' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({ field: 'idempotencyKey' });
    expect(res.body.error.message).toContain('each event');
    expect(await snapshot(ctx)).toEqual(before);
  });
});
