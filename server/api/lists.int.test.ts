import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestContext, type TestCtx } from '../../tests/support/context';
import { startReceiver } from '../../tests/support/receiver';
import { restClient, type Json, type Rest } from '../../tests/support/api';
import { createTenant, ok } from '../../tests/support/api-world';
import { createLogger } from '../log';
import { createApiKey } from '../domain/tenants/api-keys';
import { createSender } from '../domain/delivery/http-sender';
import { startWorker } from '../../worker/worker';

/**
 * Lists: keyset pagination (newest first, no repeats or gaps across pages, even with inserts between
 * pages) and filters (type patterns, status, subscription, time range), through REST.
 */
let ctx: TestCtx;
let rest: Rest;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let platformKey: string;
let c: { id: string; key: string };
let d: { id: string; key: string };
let s1: string;
let s2: string;
/** C's events, newest first, as GET /events returns them. */
let all: Json[];

const TYPES = [
  'order.created',
  'order.created',
  'order.paid',
  'order.refund.created',
  'invoice.paid',
  'invoice.paid',
  'order.created',
];

beforeAll(async () => {
  ctx = await startTestContext('api_lists');
  rest = restClient(ctx);
  receiver = await startReceiver();
  platformKey = (await createApiKey(ctx, null, 'test')).key;
  c = await createTenant(rest, platformKey, 'C');
  d = await createTenant(rest, platformKey, 'D');
  // S1 receives order events and succeeds; S2 receives everything and fails once, for good (dead).
  s1 = (
    await ok(
      rest('POST', '/subscriptions', { key: c.key, body: { url: `${receiver.url}/ok`, eventTypes: ['order.**'] } }),
    )
  ).id;
  s2 = (
    await ok(
      rest('POST', '/subscriptions', {
        key: c.key,
        body: { url: 'http://127.0.0.1:9/closed', eventTypes: ['*'], retryPolicy: { maxAttempts: 1 } },
      }),
    )
  ).id;
  await ok(rest('POST', '/subscriptions', { key: d.key, body: { url: `${receiver.url}/d`, eventTypes: ['*'] } }));
  for (const [i, type] of TYPES.entries())
    await ok(rest('POST', '/events', { key: c.key, body: { type, data: { i } } }), 202);
  for (const type of ['order.created', 'invoice.paid'])
    await ok(rest('POST', '/events', { key: d.key, body: { type, data: {} } }), 202);

  const sender = createSender({ allowPrivate: true });
  const worker = await startWorker(ctx, sender, createLogger('test-worker'));
  try {
    const deadline = Date.now() + 60_000;
    while ((await ok(rest('GET', '/deliveries', { key: platformKey, query: { status: 'pending' } }))).data.length > 0) {
      if (Date.now() > deadline) throw new Error('deliveries did not settle');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await worker.stop(5_000);
    await sender.close();
  }
  all = (await ok(rest('GET', '/events', { key: c.key }))).data;
});

afterAll(async () => {
  await receiver?.close();
  await ctx?.close();
});

/** Follows nextCursor to the end; returns every page. */
async function walk(path: string, key: string, query: Record<string, string>): Promise<Json[][]> {
  const pages: Json[][] = [];
  let cursor: string | null = null;
  do {
    const page: Json = await ok(rest('GET', path, { key, query: { ...query, ...(cursor && { cursor }) } }));
    pages.push(page.data);
    cursor = page.nextCursor;
    if (pages.length > 50) throw new Error('pagination does not end');
  } while (cursor);
  return pages;
}

const ids = (rows: Json[]) => rows.map((r) => r.id as string);
const newestFirst = (list: string[]) => [...list].sort().reverse();

describe('cursor pagination', () => {
  it('walks every event once, newest first, in pages of the asked size', async () => {
    expect(all).toHaveLength(TYPES.length);
    expect(ids(all)).toEqual(newestFirst(ids(all)));
    const pages = await walk('/events', c.key, { limit: '3' });
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat().map((e) => e.id)).toEqual(ids(all));
  });

  it('says there is no next page when the last page is exactly full', async () => {
    const pages = await walk('/events', c.key, { limit: String(TYPES.length) });
    expect(pages.map((p) => p.length)).toEqual([TYPES.length]);
  });

  it('neither repeats nor skips rows when events arrive between pages', async () => {
    const first = await ok(rest('GET', '/events', { key: c.key, query: { limit: '3' } }));
    const late = await ok(
      rest('POST', '/events', { key: d.key, body: { type: 'order.created', data: { late: true } } }),
      202,
    );
    const lateForC = await ok(rest('POST', '/events', { key: c.key, body: { type: 'ping.late', data: {} } }), 202);
    const rest2 = (await walk('/events', c.key, { limit: '3', cursor: first.nextCursor })).flat();
    expect([...ids(first.data), ...ids(rest2)]).toEqual(ids(all));
    expect(ids(rest2)).not.toContain(late.id);
    expect(ids(rest2)).not.toContain(lateForC.id);
  });

  it('walks deliveries and subscriptions the same way', async () => {
    const deliveries = (await walk('/deliveries', c.key, { limit: '4' })).flat();
    expect(deliveries).toHaveLength(5 + TYPES.length + 1);
    expect(new Set(ids(deliveries)).size).toBe(deliveries.length);
    expect(ids(deliveries)).toEqual(newestFirst(ids(deliveries)));

    for (let i = 0; i < 3; i++)
      await ok(
        rest('POST', '/subscriptions', {
          key: c.key,
          body: { url: `${receiver.url}/extra${i}`, eventTypes: ['none.yet'] },
        }),
        201,
      );
    const subs = await walk('/subscriptions', c.key, { limit: '2' });
    expect(subs.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(ids(subs.flat())).toContain(s1);
    expect(ids(subs.flat())).toContain(s2);
    expect(new Set(ids(subs.flat())).size).toBe(5);
  });

  it('combines with filters', async () => {
    const pages = await walk('/events', c.key, { type: 'order.**', limit: '2' });
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().every((e) => e.type.startsWith('order.'))).toBe(true);
  });

  it('pages customers and API keys for the platform', async () => {
    for (let i = 0; i < 3; i++)
      await ok(rest('POST', '/customers', { key: platformKey, body: { name: `Extra ${i}` } }), 201);
    const customers = (await walk('/customers', platformKey, { limit: '2' })).flat();
    expect(customers).toHaveLength(5);
    const keys = (await walk('/api-keys', platformKey, { limit: '1' })).flat();
    expect(keys.map((k) => k.kind).sort()).toEqual(['customer', 'customer', 'platform']);
  });
});

describe('event filters', () => {
  const typesOf = async (query: Record<string, string>, key = c.key) =>
    ((await ok(rest('GET', '/events', { key, query }))).data as Json[]).map((e) => e.type as string).sort();

  it('filters by exact type and by pattern, with the subscription pattern rules', async () => {
    expect(await typesOf({ type: 'order.created' })).toEqual(['order.created', 'order.created', 'order.created']);
    expect(await typesOf({ type: 'order.*' })).toEqual([
      'order.created',
      'order.created',
      'order.created',
      'order.paid',
    ]);
    expect(await typesOf({ type: 'order.**' })).toEqual([
      'order.created',
      'order.created',
      'order.created',
      'order.paid',
      'order.refund.created',
    ]);
    expect(await typesOf({ type: '*.paid' })).toEqual(['invoice.paid', 'invoice.paid', 'order.paid']);
    expect(await typesOf({ type: 'order.*.created' })).toEqual(['order.refund.created']);
    expect((await typesOf({ type: '*' })).length).toBeGreaterThanOrEqual(TYPES.length);
    expect(await typesOf({ type: 'order' })).toEqual([]);
  });

  it('filters by delivery status and by subscription', async () => {
    expect(await typesOf({ status: 'succeeded' })).toEqual([
      'order.created',
      'order.created',
      'order.created',
      'order.paid',
      'order.refund.created',
    ]);
    expect((await typesOf({ status: 'dead' })).length).toBe(TYPES.length);
    expect(await typesOf({ subscriptionId: s1 })).toEqual([
      'order.created',
      'order.created',
      'order.created',
      'order.paid',
      'order.refund.created',
    ]);
    expect(await typesOf({ subscriptionId: s1, type: 'order.*', status: 'succeeded' })).toEqual([
      'order.created',
      'order.created',
      'order.created',
      'order.paid',
    ]);
    expect(await typesOf({ status: 'held' })).toEqual([]);
  });

  it('filters by time range, bounds included', async () => {
    const oldestFirst = [...all].reverse();
    const from = oldestFirst[2].createdAt as string;
    const to = oldestFirst[4].createdAt as string;
    const expected = all.filter((e) => e.createdAt >= from && e.createdAt <= to).map((e) => e.id);
    const got = await ok(rest('GET', '/events', { key: c.key, query: { from, to } }));
    expect(ids(got.data)).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect(
      (await ok(rest('GET', '/events', { key: c.key, query: { from: new Date(Date.now() + 3600_000).toISOString() } })))
        .data,
    ).toEqual([]);
    // Far bounds (before 1970, past the ids' 48 bits of time) still hold everything.
    const wide = await ok(
      rest('GET', '/events', {
        key: c.key,
        query: { from: '1900-01-01T00:00:00Z', to: '9999-12-31T00:00:00Z', limit: '100' },
      }),
    );
    const everything = await ok(rest('GET', '/events', { key: c.key, query: { limit: '100' } }));
    expect(ids(wide.data)).toEqual(ids(everything.data));
    expect(ids(wide.data)).toEqual(expect.arrayContaining(all.map((e) => e.id)));
    // One instant as both bounds: the events of that millisecond.
    const at = oldestFirst[3].createdAt as string;
    const same = await ok(rest('GET', '/events', { key: c.key, query: { from: at, to: at } }));
    expect(ids(same.data)).toEqual(all.filter((e) => e.createdAt === at).map((e) => e.id));
    expect(ids(same.data)).toContain(oldestFirst[3].id);
  });

  it('lets the platform narrow to one customer, and a customer see only its own', async () => {
    const forC = await ok(
      rest('GET', '/events', { key: platformKey, query: { customerId: c.id, type: 'invoice.paid' } }),
    );
    expect(forC.data.map((e: Json) => e.customerId)).toEqual([c.id, c.id]);
    const ofD = await ok(rest('GET', '/events', { key: d.key, query: { type: 'invoice.paid' } }));
    expect(ofD.data.map((e: Json) => e.customerId)).toEqual([d.id]);
  });

  it('rejects malformed filters with 400 naming them', async () => {
    for (const [field, value] of [
      ['type', 'order..x'],
      ['status', 'done'],
      ['subscriptionId', 'S1'],
      ['from', 'yesterday'],
      ['limit', '201'],
      ['cursor', 'abc'],
    ]) {
      const res = await rest('GET', '/events', { key: c.key, query: { [field!]: value! } });
      expect(res.status, `${field}=${value}`).toBe(400);
      expect(res.body.error.field).toBe(field);
    }
  });
});

describe('delivery filters', () => {
  const list = async (query: Record<string, string>) =>
    (await ok(rest('GET', '/deliveries', { key: c.key, query }))).data as Json[];

  it('filters by status, subscription, event type pattern and time', async () => {
    const dead = await list({ status: 'dead' });
    expect(dead.length).toBe(TYPES.length);
    expect(dead.every((x) => x.subscriptionId === s2)).toBe(true);
    expect((await list({ subscriptionId: s1 })).every((x) => x.status === 'succeeded')).toBe(true);
    expect((await list({ eventType: 'invoice.*' })).map((x) => x.eventType)).toEqual(['invoice.paid', 'invoice.paid']);
    expect((await list({ eventType: 'order.**', status: 'succeeded' })).length).toBe(5);
    const newest = (await list({ limit: '1' }))[0];
    expect(await list({ from: newest.createdAt })).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: newest.id })]),
    );
    expect(await list({ to: new Date(Date.parse(dead.at(-1).createdAt) - 1).toISOString() })).toEqual([]);
  });
});

describe('API keys', () => {
  it('lists keys with their last use, and a revoked key stops working at once', async () => {
    const k = await ok(
      rest('POST', '/customers/{id}/api-keys', { key: c.key, params: { id: c.id }, body: { name: 'rotating' } }),
      201,
    );
    const find = async () =>
      ((await ok(rest('GET', '/api-keys', { key: c.key }))).data as Json[]).find((x) => x.id === k.id);
    expect(await find()).toMatchObject({ name: 'rotating', kind: 'customer', lastUsedAt: null, revokedAt: null });
    expect((await rest('GET', '/subscriptions', { key: k.key })).status).toBe(200);
    expect((await find()).lastUsedAt).toEqual(expect.any(String));

    const revoked = await ok(rest('DELETE', '/api-keys/{id}', { key: c.key, params: { id: k.id } }));
    expect((await rest('GET', '/subscriptions', { key: k.key })).status).toBe(401);
    expect((await find()).revokedAt).toBe(revoked.revokedAt);
    const again = await ok(rest('DELETE', '/api-keys/{id}', { key: c.key, params: { id: k.id } }));
    expect(again.revokedAt).toBe(revoked.revokedAt);
  });

  it('lets the platform revoke a platform key', async () => {
    const spare = await createApiKey(ctx, null, 'spare');
    await ok(rest('DELETE', '/api-keys/{id}', { key: platformKey, params: { id: spare.id } }));
    expect((await rest('GET', '/customers', { key: spare.key })).status).toBe(401);
  });

  it("does not let a customer revoke the platform's keys", async () => {
    const spare = await createApiKey(ctx, null, 'spare');
    expect((await rest('DELETE', '/api-keys/{id}', { key: c.key, params: { id: spare.id } })).status).toBe(404);
    expect((await rest('GET', '/customers', { key: spare.key })).status).toBe(200);
  });
});
