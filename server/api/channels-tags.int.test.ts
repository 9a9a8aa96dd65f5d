import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { broadcasts, deliveries, events } from '../../drizzle/schema';
import { startApi, type ApiBed } from '../../tests/support/api-world';
import type { TestCtx } from '../../tests/support/context';
import { snapshot, trpcClient, type Json, type Rest } from '../../tests/support/api';
import { platformScope } from '../domain/context';
import { runFanOutJob } from '../domain/events/fanout';
import { createApiKey } from '../domain/tenants/api-keys';
import { createCustomer } from '../domain/tenants/customers';

/**
 * Channels route events (a subscription that names channels receives only events in one of them;
 * one without receives every event), tags label them for search. Both are strict inputs, carried
 * through single, batch and broadcast publishes, searchable in the event log within one customer.
 */
let api: ApiBed;
let ctx: TestCtx;
let rest: Rest;
let platformKey: string;
type Tenant = { id: string; key: string; all: string; eu: string; euUs: string };
let a: Tenant;
let b: Tenant;

beforeAll(async () => {
  api = await startApi('api_channels');
  ({ ctx, rest, platformKey } = api);
  const tenant = async (name: string): Promise<Tenant> => {
    const c = await createCustomer(ctx, platformScope, { name });
    const key = (await createApiKey(ctx, c.id, 'test')).key;
    const sub = async (channels?: string[]) => {
      const res = await rest('POST', '/subscriptions', {
        key,
        body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['order.*'], ...(channels && { channels }) },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    return { id: c.id, key, all: await sub(), eu: await sub(['eu']), euUs: await sub(['eu', 'us']) };
  };
  a = await tenant('A');
  b = await tenant('B');
});

afterAll(() => api?.stop());

const reached = async (eventId: string, customerId?: string) =>
  (
    await ctx.db
      .select({ s: deliveries.subscriptionId })
      .from(deliveries)
      .where(and(eq(deliveries.eventId, eventId), customerId ? eq(deliveries.customerId, customerId) : undefined))
  )
    .map((d) => d.s)
    .sort();

describe('channels route, tags label', () => {
  it('a single publish reaches the subscriptions without channels and those naming one of its channels', async () => {
    const inUs = await rest('POST', '/events', {
      key: a.key,
      body: { type: 'order.created', data: {}, channels: ['us'], tags: ['vip'] },
    });
    expect(inUs.status).toBe(202);
    expect(inUs.body.deliveries).toBe(2);
    expect(await reached(inUs.body.id)).toEqual([a.all, a.euUs].sort());

    const inNone = await rest('POST', '/events', { key: a.key, body: { type: 'order.created', data: {} } });
    expect(await reached(inNone.body.id)).toEqual([a.all]);

    const inBoth = await rest('POST', '/events', {
      key: a.key,
      body: { type: 'order.created', data: {}, channels: ['apac', 'eu'] },
    });
    expect(await reached(inBoth.body.id)).toEqual([a.all, a.eu, a.euUs].sort());

    const read = await rest('GET', `/events/${inUs.body.id}`, { key: a.key });
    expect(read.body).toMatchObject({ channels: ['us'], tags: ['vip'] });
    // The routing trace says why the eu-only subscription did not get it.
    const trace = (read.body.routing as Json[]).find((r) => r.subscriptionId === a.eu);
    expect(trace).toMatchObject({ decision: 'not_matched', matched: false });
    expect(trace.reason).toContain('channel not in [eu]');
  });

  it('a batch publish routes each item by its own channels', async () => {
    const res = await rest('POST', '/events/batch', {
      key: platformKey,
      body: {
        events: [
          { type: 'order.created', customerId: a.id, data: { n: 1 }, channels: ['eu'] },
          { type: 'order.created', customerId: a.id, data: { n: 2 }, channels: ['mars'], tags: ['batch'] },
          { type: 'order.created', customerId: a.id, data: { n: 3 }, channels: ['eu', 'eu'] },
        ],
      },
    });
    expect(res.status).toBe(202);
    const r = res.body.results as Json[];
    expect(await reached(r[0].id)).toEqual([a.all, a.eu, a.euUs].sort());
    expect(await reached(r[1].id)).toEqual([a.all]);
    expect(r[2]).toEqual({
      error: { code: 'bad_request', field: 'channels.1', reason: '"eu" is given twice (also at 0)' },
    });
    const [stored] = await ctx.db.select().from(events).where(eq(events.id, r[1].id));
    expect(stored).toMatchObject({ channels: ['mars'], tags: ['batch'] });
  });

  it("a broadcast's per-customer copies carry its channels and tags, and its fan-out routes by channel", async () => {
    const res = await rest('POST', '/events', {
      key: platformKey,
      body: { type: 'order.shipped', data: {}, broadcast: true, channels: ['us'], tags: ['wave-1'] },
    });
    expect(res.status).toBe(202);
    await runFanOutJob(ctx, { eventId: res.body.id });
    expect(await reached(res.body.id, a.id)).toEqual([a.all, a.euUs].sort());
    expect(await reached(res.body.id, b.id)).toEqual([b.all, b.euUs].sort());
    const copies = await ctx.db.select().from(events).where(eq(events.id, res.body.id));
    expect(copies.map((c) => [c.channels, c.tags])).toEqual([
      [['us'], ['wave-1']],
      [['us'], ['wave-1']],
    ]);
    const [kept] = await ctx.db.select().from(broadcasts).where(eq(broadcasts.id, res.body.id));
    expect(kept).toMatchObject({ channels: ['us'], tags: ['wave-1'] });
    // Found by tag in each customer's event log.
    const listed = await rest('GET', '/events', { key: b.key, query: { tag: 'wave-1' } });
    expect(listed.body.data.map((e: Json) => e.id)).toEqual([res.body.id]);
  });

  it('an idempotent repeat must carry the same channels and tags', async () => {
    const body = { type: 'order.created', data: { n: 1 }, idempotencyKey: 'labels-1', channels: ['eu'], tags: ['a'] };
    const first = await rest('POST', '/events', { key: a.key, body });
    const again = await rest('POST', '/events', { key: a.key, body });
    expect(again.body).toMatchObject({ id: first.body.id, duplicate: true });
    const moved = await rest('POST', '/events', { key: a.key, body: { ...body, channels: ['us'] } });
    expect(moved.status).toBe(409);
    expect(moved.body.error.field).toBe('idempotencyKey');
    const retagged = await rest('POST', '/events', { key: a.key, body: { ...body, tags: ['b'] } });
    expect(retagged.status).toBe(409);
  });

  it('searches the event log by tag and by channel, over REST and tRPC, within one customer', async () => {
    const pub = (key: string, body: Json) =>
      rest('POST', '/events', { key, body: { type: 'order.paid', data: {}, ...body } });
    const tagged = await pub(a.key, { tags: ['invoice:42', 'refund'], channels: ['billing'] });
    const other = await pub(a.key, { tags: ['refund'] });
    await pub(a.key, {});
    // Another customer's event with the same tag and channel is never found by A, nor A's by B.
    const theirs = await pub(b.key, { tags: ['invoice:42'], channels: ['billing'] });

    const ids = (res: { body: Json }) => (res.body.data as Json[]).map((e) => e.id);
    expect(ids(await rest('GET', '/events', { key: a.key, query: { tag: 'invoice:42' } }))).toEqual([tagged.body.id]);
    expect(ids(await rest('GET', '/events', { key: a.key, query: { tag: 'refund' } }))).toEqual([
      other.body.id,
      tagged.body.id,
    ]);
    expect(ids(await rest('GET', '/events', { key: a.key, query: { channel: 'billing' } }))).toEqual([tagged.body.id]);
    expect(ids(await rest('GET', '/events', { key: a.key, query: { channel: 'billing', tag: 'refund' } }))).toEqual([
      tagged.body.id,
    ]);
    expect(ids(await rest('GET', '/events', { key: b.key, query: { tag: 'invoice:42' } }))).toEqual([theirs.body.id]);
    expect(ids(await rest('GET', '/events', { key: platformKey, query: { tag: 'refund', customerId: b.id } }))).toEqual(
      [],
    );
    expect(ids(await rest('GET', '/events', { key: a.key, query: { tag: 'nothing-has-this' } }))).toEqual([]);

    const page = await trpcClient(ctx, a.key).events.list.query({ tag: 'invoice:42' });
    expect(page.data.map((e) => e.id)).toEqual([tagged.body.id]);
    expect(page.data[0]).toMatchObject({ tags: ['invoice:42', 'refund'], channels: ['billing'] });
    const byChannel = await trpcClient(ctx, b.key).events.list.query({ channel: 'billing' });
    expect(byChannel.data.map((e) => e.id)).toEqual([theirs.body.id]);
  });

  it('refuses hostile channels and tags with a 400 naming the field, and stores nothing', async () => {
    const before = await snapshot(ctx);
    const cases: Array<[Json, string, RegExp]> = [
      [{ tags: Array.from({ length: 1000 }, (_, i) => `t${i}`) }, 'tags', /at most 10 tags/],
      [{ channels: Array.from({ length: 11 }, (_, i) => `c${i}`) }, 'channels', /at most 10 channels/],
      [{ channels: ['eu', ''] }, 'channels.1', /cannot be empty/],
      [{ tags: [''] }, 'tags.0', /cannot be empty/],
      [{ channels: ['eu', 'us', 'apac', 'e\u0000u'] }, 'channels.3', /NUL/i],
      [{ tags: ['ok', 'bad\u0000'] }, 'tags.1', /NUL/i],
      [{ tags: ['\ud800'] }, 'tags.0', /surrogate/i],
      [{ channels: ['eu', 'us', 'apac', 'us'] }, 'channels.3', /given twice/],
      [{ tags: ['x', 'x'] }, 'tags.1', /given twice/],
      [{ channels: ['has space'] }, 'channels.0', /A-Z a-z 0-9/],
      [{ channels: ['x'.repeat(65)] }, 'channels.0', /at most 64/],
      [{ tags: ['y'.repeat(65)] }, 'tags.0', /at most 64/],
      [{ tags: ['line\nbreak'] }, 'tags.0', /control characters/],
      [{ channels: 'eu' }, 'channels', /array/],
    ];
    for (const [extra, field, reason] of cases) {
      const res = await rest('POST', '/events', { key: a.key, body: { type: 'order.created', data: {}, ...extra } });
      expect(res.status, JSON.stringify(extra).slice(0, 80)).toBe(400);
      expect(res.body.error.field).toBe(field);
      expect(res.body.error.message).toMatch(reason);
    }
    const sub = await rest('POST', '/subscriptions', {
      key: a.key,
      body: {
        url: 'http://127.0.0.1:9/hook',
        eventTypes: ['*'],
        channels: Array.from({ length: 21 }, (_, i) => `c${i}`),
      },
    });
    expect(sub.status).toBe(400);
    expect(sub.body.error).toMatchObject({ field: 'channels', message: expect.stringMatching(/at most 20 channels/) });
    const dup = await rest('PATCH', `/subscriptions/${a.eu}`, { key: a.key, body: { channels: ['eu', 'us', 'eu'] } });
    expect(dup.body.error).toMatchObject({ field: 'channels.2' });
    const badSearch = await rest('GET', '/events', { key: a.key, query: { tag: 'a\u0000b' } });
    expect(badSearch.status).toBe(400);
    expect(badSearch.body.error.field).toBe('tag');
    const badChannel = await rest('GET', '/events', { key: a.key, query: { channel: 'no spaces' } });
    expect(badChannel.body.error.field).toBe('channel');
    expect(await snapshot(ctx)).toEqual(before);
  });

  it("a subscription's channels are set, changed, shown, audited and used by the filter dry run", async () => {
    const created = await rest('POST', '/subscriptions', {
      key: a.key,
      body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['order.*'], channels: ['eu'] },
    });
    expect(created.body.channels).toEqual(['eu']);
    const changed = await rest('PATCH', `/subscriptions/${created.body.id}`, {
      key: a.key,
      body: { channels: ['us', 'apac'] },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.channels).toEqual(['us', 'apac']);
    expect((await rest('GET', `/subscriptions/${created.body.id}`, { key: a.key })).body.channels).toEqual([
      'us',
      'apac',
    ]);
    const audit = await rest('GET', '/audit-log', {
      key: a.key,
      query: { targetId: created.body.id, action: 'subscription.updated' },
    });
    expect(audit.body.data[0]).toMatchObject({ before: { channels: ['eu'] }, after: { channels: ['us', 'apac'] } });
    const cleared = await rest('PATCH', `/subscriptions/${created.body.id}`, { key: a.key, body: { channels: [] } });
    expect(cleared.body.channels).toEqual([]);

    await rest('POST', '/events', { key: a.key, body: { type: 'order.dry', data: {}, channels: ['eu'] } });
    const dry = await rest('POST', '/subscriptions/test-filter', {
      key: a.key,
      body: { eventTypes: ['order.dry'], channels: ['us'] },
    });
    expect(dry.status).toBe(200);
    expect(dry.body.events[0]).toMatchObject({
      type: 'order.dry',
      matches: false,
      reason: expect.stringContaining('channel not in [us]'),
    });
    const wet = await rest('POST', '/subscriptions/test-filter', {
      key: a.key,
      body: { eventTypes: ['order.dry'], channels: ['eu'] },
    });
    expect(wet.body.events[0]).toMatchObject({ type: 'order.dry', matches: true });
  });
});
