import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, startApi, type ApiBed } from '../../tests/support/api-world';
import { snapshot, trpcClient, type Json, type Rest } from '../../tests/support/api';
import type { TestCtx } from '../../tests/support/context';

/**
 * Ids named in a body or query: another customer's id, or an unknown one, is a 404 naming the field,
 * and spends nothing (no bulk replay, no turn of the replay throttle). Bulk replays are throttled here
 * as in production (one per 30 s per customer).
 */
let api: ApiBed;
let ctx: TestCtx;
let rest: Rest;
let platformKey: string;

beforeAll(async () => {
  api = await startApi('tenancy', { replayMinIntervalMs: 30_000 }, 'platform');
  ({ ctx, rest, platformKey } = api);
});

afterAll(() => api?.stop());

async function tenant(name: string, scopes?: string[]) {
  const c = await ok(rest('POST', '/customers', { key: platformKey, body: { name } }), 201);
  const body = { name: 'ops', ...(scopes && { scopes }) };
  const k = await ok(rest('POST', '/customers/{id}/api-keys', { key: platformKey, params: { id: c.id }, body }), 201);
  const sub = await ok(
    rest('POST', '/subscriptions', {
      key: platformKey,
      body: { customerId: c.id, url: 'http://127.0.0.1:9/x', eventTypes: ['*'] },
    }),
    201,
  );
  const ev = await ok(
    rest('POST', '/events', { key: platformKey, body: { customerId: c.id, type: 'order.created', data: {} } }),
    202,
  );
  return {
    id: c.id as string,
    key: k.key as string,
    keyId: k.id as string,
    subscriptionId: sub.id as string,
    eventId: ev.id as string,
  };
}

const FULL = ['publish', 'read', 'manage', 'keys'];
const UNKNOWN_SUB = 'sub_01JZ3K8Q9V7W2X4Y6A8B0C2D4E';
const UNKNOWN_EVT = 'evt_01JZ3K8Q9V7W2X4Y6A8B0C2D4E';
const UNKNOWN_CUS = 'cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E';

describe('ids named in a body or query', () => {
  it("a bulk replay naming another customer's subscription is a 404 and spends nothing: the caller's own replay then starts", async () => {
    const a = await tenant('Replay A', FULL);
    const b = await tenant('Replay B', FULL);
    for (const subscriptionId of [a.subscriptionId, UNKNOWN_SUB]) {
      const before = await snapshot(ctx);
      const res = await rest('POST', '/replays', { key: b.key, body: { subscriptionId } });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'not_found', field: 'subscriptionId' });
      expect(await snapshot(ctx)).toEqual(before);
    }
    // Over tRPC too.
    await expect(
      trpcClient(ctx, b.key).replays.create.mutate({ subscriptionId: a.subscriptionId }),
    ).rejects.toMatchObject({
      data: { httpStatus: 404, field: 'subscriptionId' },
    });
    // Nothing was spent: B's own replay starts (no 429).
    const own = await ok(rest('POST', '/replays', { key: b.key, body: { subscriptionId: b.subscriptionId } }), 202);
    expect(own).toMatchObject({ existing: false, filter: { subscriptionId: b.subscriptionId } });
    // The platform naming a subscription of another customer than the one it acts for: 404 as well.
    const cross = await rest('POST', '/replays', {
      key: platformKey,
      body: { customerId: a.id, subscriptionId: b.subscriptionId },
    });
    expect(cross.status).toBe(404);
  });

  it('list filters: a foreign or unknown subscriptionId, eventId or customerId is a 404 naming it, for customer and platform keys', async () => {
    const a = await tenant('Filters A', FULL);
    const b = await tenant('Filters B', FULL);
    const cases: Array<[string, string, Record<string, string>, string]> = [
      ['GET', '/deliveries', { subscriptionId: a.subscriptionId }, 'subscriptionId'],
      ['GET', '/deliveries', { subscriptionId: UNKNOWN_SUB }, 'subscriptionId'],
      ['GET', '/deliveries', { eventId: a.eventId }, 'eventId'],
      ['GET', '/deliveries', { eventId: UNKNOWN_EVT }, 'eventId'],
      ['GET', '/deliveries', { status: 'dead', subscriptionId: a.subscriptionId }, 'subscriptionId'],
      ['GET', '/events', { subscriptionId: a.subscriptionId }, 'subscriptionId'],
    ];
    for (const [method, path, query, field] of cases) {
      const res = await rest(method, path, { key: b.key, query });
      expect(res.status, `${path} ${JSON.stringify(query)}`).toBe(404);
      expect(res.body.error.field).toBe(field);
    }
    // Their own ids still filter.
    expect(
      (await ok(rest('GET', '/deliveries', { key: b.key, query: { subscriptionId: b.subscriptionId } }))).data,
    ).toHaveLength(1);
    expect((await ok(rest('GET', '/events', { key: b.key, query: { id: b.eventId } }))).data).toHaveLength(1);
    // The events list's `id` is a search (the dashboard's search box): another customer's event is not found, an empty page.
    expect(await ok(rest('GET', '/events', { key: b.key, query: { id: a.eventId } }))).toEqual({
      data: [],
      nextCursor: null,
    });
    // A platform key: an unknown customer, or a subscription of another customer than the one named.
    for (const path of ['/deliveries', '/events', '/subscriptions', '/replays', '/audit-log', '/usage']) {
      const res = await rest('GET', path, { key: platformKey, query: { customerId: UNKNOWN_CUS } });
      expect(res.status, path).toBe(404);
      expect(res.body.error.field).toBe('customerId');
    }
    const cross = await rest('GET', '/deliveries', {
      key: platformKey,
      query: { customerId: a.id, subscriptionId: b.subscriptionId },
    });
    expect(cross.status).toBe(404);
    expect(
      (await ok(rest('GET', '/deliveries', { key: platformKey, query: { subscriptionId: a.subscriptionId } }))).data,
    ).toHaveLength(1);
    // Over tRPC the same.
    await expect(
      trpcClient(ctx, b.key).deliveries.list.query({ subscriptionId: a.subscriptionId }),
    ).rejects.toMatchObject({ data: { httpStatus: 404 } });
    void (null as Json);
  });
});

describe('API key scopes', () => {
  const newKey = async (c: { id: string }, scopes?: string[], by = platformKey) =>
    ok(
      rest('POST', '/customers/{id}/api-keys', {
        key: by,
        params: { id: c.id },
        body: { name: 'scoped', ...(scopes && { scopes }) },
      }),
      201,
    );
  const refused = async (res: Promise<{ status: number; body: Json }>, scope: string) => {
    const r = await res;
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect(r.body.error).toMatchObject({ code: 'forbidden' });
    expect(r.body.error.message).toContain(`"${scope}"`);
  };

  it('a new key gets publish and read by default: it publishes and reads, and is refused changes and keys (403 naming the scope)', async () => {
    const c = await tenant('Scopes default', FULL);
    const k = await newKey(c);
    expect(k.scopes).toEqual(['publish', 'read']);
    const listed = await ok(rest('GET', '/customers/{id}/api-keys', { key: c.key, params: { id: c.id } }));
    expect(listed.data.find((x: Json) => x.id === k.id).scopes).toEqual(['publish', 'read']);
    expect(listed.data.find((x: Json) => x.id === c.keyId).scopes).toEqual(FULL);

    await ok(rest('POST', '/events', { key: k.key, body: { type: 'order.created', data: {} } }), 202);
    await ok(
      rest('POST', '/events/batch', { key: k.key, body: { events: [{ type: 'order.created', data: {} }] } }),
      202,
    );
    await ok(rest('GET', '/deliveries', { key: k.key }));
    await ok(rest('GET', '/subscriptions/{id}', { key: k.key, params: { id: c.subscriptionId } }));
    const before = await snapshot(ctx);
    await refused(
      rest('POST', '/subscriptions', { key: k.key, body: { url: 'http://127.0.0.1:9/x', eventTypes: ['*'] } }),
      'manage',
    );
    await refused(
      rest('PATCH', '/subscriptions/{id}', { key: k.key, params: { id: c.subscriptionId }, body: { active: false } }),
      'manage',
    );
    await refused(
      rest('GET', '/subscriptions/{id}/secret', { key: k.key, params: { id: c.subscriptionId } }),
      'manage',
    );
    await refused(rest('POST', '/replays', { key: k.key, body: {} }), 'manage');
    await refused(rest('POST', '/customers/{id}/api-keys', { key: k.key, params: { id: c.id }, body: {} }), 'keys');
    await refused(rest('GET', '/api-keys', { key: k.key }), 'keys');
    await refused(rest('DELETE', '/api-keys/{id}', { key: k.key, params: { id: c.keyId } }), 'keys');
    expect(await snapshot(ctx)).toEqual(before);

    // Over tRPC, the same boundaries.
    const t = trpcClient(ctx, k.key);
    await expect(t.events.publish.mutate({ type: 'order.created', data: {} })).resolves.toMatchObject({
      id: expect.any(String),
    });
    await expect(t.deliveries.list.query({})).resolves.toMatchObject({ data: expect.any(Array) });
    await expect(
      t.subscriptions.create.mutate({ url: 'http://127.0.0.1:9/x', eventTypes: ['*'] }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('"manage"'),
      data: { httpStatus: 403 },
    });
    await expect(t.customers.revokeApiKey.mutate({ id: c.keyId })).rejects.toMatchObject({
      message: expect.stringContaining('"keys"'),
      data: { httpStatus: 403 },
    });
    await expect(t.stats.overview.query({})).resolves.toBeDefined();
  });

  it('each scope alone opens only its own door', async () => {
    const c = await tenant('Scopes alone', FULL);
    const read = await newKey(c, ['read']);
    const publish = await newKey(c, ['publish']);
    const manage = await newKey(c, ['manage']);
    const keys = await newKey(c, ['keys']);
    await refused(rest('POST', '/events', { key: read.key, body: { type: 'order.created', data: {} } }), 'publish');
    await refused(rest('GET', '/events', { key: publish.key }), 'read');
    await refused(rest('GET', '/deliveries', { key: manage.key }), 'read');
    await ok(
      rest('PATCH', '/subscriptions/{id}', {
        key: manage.key,
        params: { id: c.subscriptionId },
        body: { description: 'managed' },
      }),
    );
    await refused(rest('GET', '/subscriptions', { key: keys.key }), 'read');
    await ok(rest('GET', '/api-keys', { key: keys.key }));
    await expect(trpcClient(ctx, publish.key).events.list.query({})).rejects.toMatchObject({
      message: expect.stringContaining('"read"'),
      data: { httpStatus: 403 },
    });
    await expect(
      trpcClient(ctx, read.key).events.publish.mutate({ type: 'order.created', data: {} }),
    ).rejects.toMatchObject({ data: { httpStatus: 403 } });
  });

  it('a key creates keys with at most its own scopes; the platform with any', async () => {
    const c = await tenant('Scopes grant', FULL);
    const keeper = await newKey(c, ['keys', 'publish']);
    const before = await snapshot(ctx);
    await refused(
      rest('POST', '/customers/{id}/api-keys', {
        key: keeper.key,
        params: { id: c.id },
        body: { scopes: ['publish', 'manage'] },
      }),
      'manage',
    );
    // Its default (publish and read) is more than it holds too.
    await refused(
      rest('POST', '/customers/{id}/api-keys', { key: keeper.key, params: { id: c.id }, body: {} }),
      'read',
    );
    await expect(
      trpcClient(ctx, keeper.key).customers.createApiKey.mutate({ id: c.id, scopes: FULL as never }),
    ).rejects.toMatchObject({
      data: { httpStatus: 403 },
    });
    expect(await snapshot(ctx)).toEqual(before);
    expect((await newKey(c, ['publish'], keeper.key)).scopes).toEqual(['publish']);
    expect((await newKey(c, ['keys', 'manage', 'read', 'publish'])).scopes).toEqual(FULL);
    // Bad scopes are bad input.
    const bad = await rest('POST', '/customers/{id}/api-keys', {
      key: platformKey,
      params: { id: c.id },
      body: { scopes: ['admin'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toMatch(/^scopes/);
    // A platform key holds every scope.
    const all = await ok(rest('GET', '/api-keys', { key: platformKey }));
    expect(
      all.data
        .filter((k: Json) => k.kind === 'platform')
        .every((k: Json) => JSON.stringify(k.scopes) === JSON.stringify(FULL)),
    ).toBe(true);
  });
});
