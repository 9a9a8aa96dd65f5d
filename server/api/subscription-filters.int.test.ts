import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { broadcasts } from '../../drizzle/schema';
import {
  callProcedure,
  expectUnchanged,
  failure,
  readOnlyTrpc,
  trpcClient,
  type Json,
  type Rest,
} from '../../tests/support/api';
import { createTenant, ok, startApiEngine, type ApiEngine } from '../../tests/support/api-world';
import { deliveriesOf, waitFannedOut, waitForStatus } from '../../tests/support/engine';
import { customerScope, platformScope } from '../domain/context';
import { publishEvent } from '../domain/events/publish';
import { publishEventBatched } from '../domain/events/group-commit';
import { metrics } from '../metrics';

/**
 * Payload filters, end to end: validated when saved (400 naming the path and the operator), applied
 * by every fan-out path (inline publish, group commit, the fan-out job of a broadcast), explained by
 * the routing trace, and tried beforehand by the dry run.
 */
let engine: ApiEngine;
let rest: Rest;
let platformKey: string;

beforeAll(async () => {
  engine = await startApiEngine('filters');
  ({ rest, platformKey } = engine);
});

afterAll(async () => {
  await engine?.stop();
});

let n = 0;
const customer = (label = 'Filters') => createTenant(rest, platformKey, `${label} ${++n}`);

async function subscribe(key: string, eventTypes: string[], filter?: Json) {
  const r = await engine.receiver();
  const sub = await ok(
    rest('POST', '/subscriptions', { key, body: { url: `${r.url}/hook`, eventTypes, ...(filter && { filter }) } }),
    201,
  );
  return { id: sub.id as string, r, sub };
}

const unchanged = <T>(fn: () => Promise<T>) => expectUnchanged(engine.ctx, fn);

const bigOrders = { 'data.amount': { $gte: 100 }, 'data.currency': 'eur' };

describe('saving a filter', () => {
  it('is refused when invalid, over REST, with a 400 naming the path and the operator; nothing is stored', async () => {
    const c = await customer();
    const cases: Array<[Json, string, string]> = [
      [{ 'data.amount': { $gt: true } }, 'filter.data.amount', '"$gt" takes a number or a string'],
      [{ amount: 5 }, 'filter.amount', 'must start with id, type, timestamp, data'],
      [{ $or: [{ 'data.a': 1 }, { 'data.b': { $regex: '^x' } }] }, 'filter.$or[1].data.b', 'unknown operator "$regex"'],
      [{ 'data.tags': { $in: 'vip' } }, 'filter.data.tags', '"$in" takes an array'],
      [Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`data.f${i}`, i])), 'filter', 'above the limit of 50'],
      [['data.amount'], 'filter', 'expected record'],
    ];
    for (const [filter, field, reason] of cases) {
      const res = await unchanged(() =>
        rest('POST', '/subscriptions', {
          key: c.key,
          body: { url: 'https://example.com/hook', eventTypes: ['*'], filter },
        }),
      );
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.field).toBe(field);
      expect(res.body.errors).toContainEqual({ field, reason: expect.stringContaining(reason) });
    }
  });

  it('is refused when invalid over tRPC too, and on update', async () => {
    const c = await customer();
    const client = trpcClient(engine.ctx, c.key);
    const err = await unchanged(() =>
      failure(
        client.subscriptions.create.mutate({
          url: 'https://example.com/hook',
          eventTypes: ['*'],
          filter: { 'data.amount': { $between: [1, 2] } },
        }),
      ),
    );
    expect(err?.data).toMatchObject({ httpStatus: 400, code: 'BAD_REQUEST', field: 'filter.data.amount' });
    expect(err?.message).toContain('$between');
    const s = await subscribe(c.key, ['*'], bigOrders);
    const patch = await unchanged(() =>
      rest('PATCH', '/subscriptions/{id}', {
        key: c.key,
        params: { id: s.id },
        body: { filter: { 'data.amount': { $exists: 'yes' } } },
      }),
    );
    expect(patch.status).toBe(400);
    expect(patch.body.error).toMatchObject({
      field: 'filter.data.amount',
      message: expect.stringContaining('"$exists" takes true or false'),
    });
    const trpcPatch = await unchanged(() =>
      failure(client.subscriptions.update.mutate({ id: s.id, filter: { $and: [] } })),
    );
    expect(trpcPatch?.data).toMatchObject({ httpStatus: 400, field: 'filter.$and' });
  });

  it('is stored and read back, replaced, and removed with null', async () => {
    const c = await customer();
    const s = await subscribe(c.key, ['order.*'], bigOrders);
    expect(s.sub.filter).toEqual(bigOrders);
    expect((await ok(rest('GET', '/subscriptions/{id}', { key: c.key, params: { id: s.id } }))).filter).toEqual(
      bigOrders,
    );
    const other = { $or: [{ type: 'order.refunded' }, { 'data.vip': true }] };
    expect(
      (await ok(rest('PATCH', '/subscriptions/{id}', { key: c.key, params: { id: s.id }, body: { filter: other } })))
        .filter,
    ).toEqual(other);
    expect(
      (
        await ok(
          rest('PATCH', '/subscriptions/{id}', { key: c.key, params: { id: s.id }, body: { description: 'kept' } }),
        )
      ).filter,
    ).toEqual(other);
    expect(
      (await ok(rest('PATCH', '/subscriptions/{id}', { key: c.key, params: { id: s.id }, body: { filter: null } })))
        .filter,
    ).toBeNull();
    const list = await ok(rest('GET', '/subscriptions', { key: c.key }));
    expect(list.data[0]).toMatchObject({ id: s.id, filter: null });
  });
});

describe('delivery with a filter', () => {
  it('inline publish: delivered when a pattern matches and the filter holds; the trace names the condition that failed', async () => {
    const c = await customer();
    const filtered = await subscribe(c.key, ['order.*'], bigOrders);
    const everything = await subscribe(c.key, ['order.*']);
    const small = await publishEvent(engine.ctx, customerScope(c.id), {
      type: 'order.created',
      data: { amount: 50, currency: 'eur' },
    });
    const big = await publishEvent(engine.ctx, customerScope(c.id), {
      type: 'order.created',
      data: { amount: 150, currency: 'eur' },
    });
    const usd = await publishEvent(engine.ctx, customerScope(c.id), {
      type: 'order.created',
      data: { amount: 150, currency: 'usd' },
    });
    expect([small.deliveries, big.deliveries, usd.deliveries]).toEqual([1, 2, 1]);

    for (const e of [small, big, usd])
      for (const d of await deliveriesOf(engine.ctx, e.id)) await waitForStatus(engine.ctx, d.id, 'succeeded');
    expect(filtered.r.received.map((r) => JSON.parse(r.body).id)).toEqual([big.id]);
    expect(everything.r.received).toHaveLength(3);

    const trace = (await ok(rest('GET', '/events/{id}', { key: c.key, params: { id: small.id } }))).routing;
    expect(trace.find((t: Json) => t.subscriptionId === filtered.id)).toEqual({
      subscriptionId: filtered.id,
      url: expect.any(String),
      eventTypes: ['order.*'],
      matched: false,
      decision: 'filtered',
      failedCondition: 'data.amount $gte 100 (was 50)',
      reason: 'matched "order.*" but the filter excluded it: data.amount $gte 100 (was 50)',
    });
    expect(trace.find((t: Json) => t.subscriptionId === everything.id)).toMatchObject({
      decision: 'matched',
      failedCondition: null,
    });
    const usdTrace = (await ok(rest('GET', '/events/{id}', { key: c.key, params: { id: usd.id } }))).routing;
    expect(usdTrace.find((t: Json) => t.subscriptionId === filtered.id)).toMatchObject({
      decision: 'filtered',
      failedCondition: 'data.currency $eq "eur" (was "usd")',
    });
  });

  it('the trace keeps the decision made at publish, even after the filter changes', async () => {
    const c = await customer();
    const s = await subscribe(c.key, ['order.*'], bigOrders);
    const e = await publishEvent(engine.ctx, customerScope(c.id), {
      type: 'order.created',
      data: { amount: 5, currency: 'eur' },
    });
    await ok(rest('PATCH', '/subscriptions/{id}', { key: c.key, params: { id: s.id }, body: { filter: null } }));
    const trace = (await ok(rest('GET', '/events/{id}', { key: c.key, params: { id: e.id } }))).routing;
    expect(trace).toEqual([
      expect.objectContaining({
        subscriptionId: s.id,
        decision: 'filtered',
        failedCondition: 'data.amount $gte 100 (was 5)',
      }),
    ]);
    // A type no pattern matches is still "not matched", filter or not.
    const other = await publishEvent(engine.ctx, customerScope(c.id), { type: 'invoice.paid', data: {} });
    expect((await ok(rest('GET', '/events/{id}', { key: c.key, params: { id: other.id } }))).routing).toEqual([
      expect.objectContaining({ subscriptionId: s.id, decision: 'not_matched', failedCondition: null }),
    ]);
  });

  it('group commit: concurrent publishes accepted in one transaction apply each filter to each event', async () => {
    const c = await customer();
    const filtered = await subscribe(c.key, ['order.*'], { 'data.i': { $in: [1, 3, 5] } });
    const before = metrics.eventsGroupCommitted.get();
    const published = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        publishEventBatched(engine.ctx, customerScope(c.id), { type: 'order.created', data: { i } }),
      ),
    );
    expect(metrics.eventsGroupCommitted.get()).toBeGreaterThan(before);
    expect(published.map((p) => p.deliveries)).toEqual([0, 1, 0, 1, 0, 1, 0, 0]);
    await filtered.r.waitFor(3);
    expect(filtered.r.received.map((r) => JSON.parse(r.body).data.i).sort()).toEqual([1, 3, 5]);
    const trace = (await ok(rest('GET', '/events/{id}', { key: c.key, params: { id: published[2]!.id } }))).routing;
    expect(trace).toEqual([
      expect.objectContaining({ decision: 'filtered', failedCondition: 'data.i $in [1,3,5] (was 2)' }),
    ]);
  });

  it('broadcast: the fan-out job applies every customer’s filter', async () => {
    const a = await customer('Broadcast A');
    const b = await customer('Broadcast B');
    const aFr = await subscribe(a.key, ['price.*'], { 'data.country': 'FR' });
    const bDe = await subscribe(b.key, ['price.*'], { 'data.country': { $ne: 'FR' } });
    const e = await ok(
      rest('POST', '/events', {
        key: platformKey,
        body: { type: 'price.changed', data: { country: 'FR' }, broadcast: true },
      }),
      202,
    );
    expect(e.deliveries).toBeNull();
    await waitFannedOut(engine.ctx, e.id, broadcasts);
    // A broadcast reaches every customer: look at A's and B's share only.
    const ds = (await deliveriesOf(engine.ctx, e.id)).filter((d) => d.customerId === a.id || d.customerId === b.id);
    expect(ds.map((d) => d.subscriptionId)).toEqual([aFr.id]);
    await waitForStatus(engine.ctx, ds[0]!.id, 'succeeded');
    expect(bDe.r.received).toHaveLength(0);
    // B sees the broadcast only if it reached B; it did not. The platform's trace of B names the condition.
    expect((await rest('GET', '/events/{id}', { key: b.key, params: { id: e.id } })).status).toBe(404);
    const [row] = await engine.ctx.db
      .select({ filteredOut: broadcasts.filteredOut })
      .from(broadcasts)
      .where(eq(broadcasts.id, e.id));
    expect(row!.filteredOut).toContainEqual({
      subscriptionId: bDe.id,
      customerId: b.id,
      pattern: 'price.*',
      failed: 'data.country $ne "FR" (was "FR")',
    });
    expect(row!.filteredOut!.filter((f) => f.customerId === a.id)).toEqual([]);
    const forA = (await ok(rest('GET', '/events/{id}', { key: a.key, params: { id: e.id } }))).routing;
    expect(forA).toEqual([expect.objectContaining({ subscriptionId: aFr.id, decision: 'matched' })]);
  });
});

describe('POST /subscriptions/test-filter (dry run)', () => {
  let c: { id: string; key: string };
  beforeAll(async () => {
    c = await customer('Dry run');
    for (let i = 0; i < 104; i++)
      await publishEvent(engine.ctx, customerScope(c.id), { type: 'noise.tick', data: { i } });
    await publishEvent(engine.ctx, customerScope(c.id), {
      type: 'order.created',
      data: { amount: 20, currency: 'eur' },
    });
    await publishEvent(engine.ctx, customerScope(c.id), {
      type: 'order.created',
      data: { amount: 200, currency: 'eur' },
    });
    await publishEvent(engine.ctx, customerScope(c.id), { type: 'order.paid', data: { amount: 300, currency: 'eur' } });
  });

  it('says which of the latest 100 events would be delivered, and why; nothing is stored', async () => {
    const res = await unchanged(() =>
      rest('POST', '/subscriptions/test-filter', { key: c.key, body: { eventTypes: ['order.*'], filter: bigOrders } }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.events).toHaveLength(100);
    expect(res.body).toMatchObject({ matching: 2, total: 100 });
    expect(res.body.events.slice(0, 4)).toEqual([
      {
        id: expect.stringMatching(/^evt_/),
        type: 'order.paid',
        matches: true,
        reason: 'matches "order.*" and the filter holds',
      },
      {
        id: expect.any(String),
        type: 'order.created',
        matches: true,
        reason: 'matches "order.*" and the filter holds',
      },
      {
        id: expect.any(String),
        type: 'order.created',
        matches: false,
        reason: 'matches "order.*" but the filter excludes it: data.amount $gte 100 (was 20)',
      },
      { id: expect.any(String), type: 'noise.tick', matches: false, reason: 'no pattern matches "noise.tick"' },
    ]);
    const noFilter = await ok(
      rest('POST', '/subscriptions/test-filter', { key: c.key, body: { eventTypes: ['noise.*'] } }),
    );
    expect(noFilter).toMatchObject({ matching: 97, total: 100 });
    expect(noFilter.events[0]).toMatchObject({ type: 'noise.tick', matches: true, reason: 'matches "noise.*"' });
  });

  it('lists the events that would be delivered first, newest first within each group', async () => {
    // The three newest events are orders: with `noise.*` they do not match, and come after the 97 that do.
    const res = await ok(rest('POST', '/subscriptions/test-filter', { key: c.key, body: { eventTypes: ['noise.*'] } }));
    const flags = (res.events as { matches: boolean }[]).map((e) => e.matches);
    expect(flags).toEqual([...Array<boolean>(97).fill(true), false, false, false]);
    expect((res.events as { type: string }[]).slice(-3).map((e) => e.type)).toEqual([
      'order.paid',
      'order.created',
      'order.created',
    ]);
    const ids = (res.events as { id: string; matches: boolean }[]).filter((e) => e.matches).map((e) => e.id);
    expect(ids).toEqual([...ids].sort().reverse());
  });

  it('answers over tRPC, and to the platform naming the customer', async () => {
    const viaTrpc = await trpcClient(engine.ctx, c.key).subscriptions.testFilter.mutate({ eventTypes: ['order.paid'] });
    expect(viaTrpc).toMatchObject({ matching: 1, total: 100 });
    const platform = await ok(
      rest('POST', '/subscriptions/test-filter', {
        key: platformKey,
        body: { customerId: c.id, eventTypes: ['*'], filter: { 'data.amount': { $gt: 250 } } },
      }),
    );
    expect(platform.matching).toBe(1);
    const missing = await rest('POST', '/subscriptions/test-filter', { key: platformKey, body: { eventTypes: ['*'] } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe('customerId');
  });

  it('refuses an invalid filter (400 naming it), another customer (404) and a read-only session (403)', async () => {
    const bad = await rest('POST', '/subscriptions/test-filter', {
      key: c.key,
      body: { eventTypes: ['*'], filter: { 'data.amount': { $gte: [1] } } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ field: 'filter.data.amount', message: expect.stringContaining('$gte') });
    const other = await customer('Nosy');
    expect(
      (
        await rest('POST', '/subscriptions/test-filter', {
          key: other.key,
          body: { customerId: c.id, eventTypes: ['*'] },
        })
      ).status,
    ).toBe(404);
    const mine = await ok(rest('POST', '/subscriptions/test-filter', { key: other.key, body: { eventTypes: ['*'] } }));
    expect(mine).toEqual({ events: [], matching: 0, total: 0 });
    const readOnly = readOnlyTrpc(engine.ctx, c.id);
    const err = await failure(callProcedure(readOnly, 'subscriptions.testFilter', 'mutation', { eventTypes: ['*'] }));
    expect(err?.data).toMatchObject({ httpStatus: 403 });
    expect(platformScope.kind).toBe('platform');
  });
});
