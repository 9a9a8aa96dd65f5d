import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { auditLog, bulkReplays, deliveries, events } from '../../../drizzle/schema';
import { startEngine } from '../../../tests/support/engine';
import { fileScoped } from '../../../tests/support/file-scoped';
import { startReceiver } from '../../../tests/support/receiver';
import { expectUnchanged, restClient, trpcClient, type Json, type Rest } from '../../../tests/support/api';
import { ok } from '../../../tests/support/api-world';
import { platformScope } from '../context';
import { createApiKey } from '../tenants/api-keys';
import { createCustomer } from '../tenants/customers';
import { newId } from '../ids';

/**
 * Backfill ("send past events") end to end: real PostgreSQL, the real worker in process (its
 * dispatcher admits what a backfill inserts) and a real HTTP receiver. Through the REST door, as
 * an integrator calls it; the dashboard's tRPC door for the preview.
 */
const RATE = 200; // the replay rate: a backfill sends at most 100 every half second

const engine = fileScoped(() => startEngine('backfill', { replayRatePerSecond: RATE }));
let rest: Rest;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

type Tenant = { id: string; key: string };
async function tenant(name: string): Promise<Tenant> {
  const c = await createCustomer(engine.ctx, platformScope, { name });
  return { id: c.id, key: (await createApiKey(engine.ctx, c.id)).key };
}
const subscribe = (t: Tenant, path: string, body: Record<string, unknown>) =>
  ok(rest('POST', '/subscriptions', { key: t.key, body: { url: `${receiver.url}${path}`, ...body } }), 201);
const publish = (t: Tenant, type: string, data: unknown) =>
  ok(rest('POST', '/events', { key: t.key, body: { type, data } }), 202);
const backfill = (t: Tenant, id: string, body: Record<string, unknown>) =>
  rest('POST', '/subscriptions/{id}/backfill', { key: t.key, params: { id }, body });
/** The preview of a backfill of subscription `id` over `query` (`from`, `eventTypes`), as `t` asks for it. */
const previewRequest = (t: Tenant, id: string, query: Record<string, string>) =>
  rest('GET', '/subscriptions/{id}/backfill/preview', { key: t.key, params: { id }, query });
const previewed = (t: Tenant, id: string, query: Record<string, string>) => ok(previewRequest(t, id, query), 200);
/** How many deliveries subscription `id` has. */
const deliveriesTo = (id: string) => engine.ctx.db.$count(deliveries, eq(deliveries.subscriptionId, id));
const progress = (t: Tenant, id: string) => ok(rest('GET', '/replays/{id}', { key: t.key, params: { id } }), 200);
/** Waits for the backfill job to finish, then for every delivery it made to be settled. */
async function settled(t: Tenant, id: string): Promise<Json> {
  await expect.poll(async () => (await progress(t, id)).status, { timeout: 60_000, interval: 100 }).toBe('completed');
  await expect.poll(async () => (await progress(t, id)).inFlight, { timeout: 60_000, interval: 100 }).toBe(0);
  return progress(t, id);
}
const receivedAt = (path: string) =>
  receiver.received.filter((r) => r.path === path).map((r) => r.headers['webhook-id']!);
const unchanged = <T>(fn: () => Promise<T>) => expectUnchanged(engine.ctx, fn);
/** While deliveries are moving (a backfill running): no bulk job and no audit entry was added. */
async function startedNothing<T>(fn: () => Promise<T>): Promise<T> {
  const count = async () =>
    (
      await engine.ctx.db.execute<{ n: string }>(
        sql`select (select count(*) from bulk_replays) || '/' || (select count(*) from audit_log) as n`,
      )
    )[0]!.n;
  const before = await count();
  const out = await fn();
  expect(await count()).toBe(before);
  return out;
}

beforeAll(async () => {
  rest = restClient(engine.ctx);
  receiver = await startReceiver(() => ({ status: 200 }));
});

afterAll(async () => {
  await receiver?.close();
});

describe('a subscription created after its events', () => {
  let acme: Tenant;
  let early: Json;
  let late: Json;
  let expected: string[];
  let first: Json;
  const since = new Date(Date.now() - 60_000).toISOString();

  beforeAll(async () => {
    acme = await tenant('Acme');
    early = await subscribe(acme, '/early', { eventTypes: ['*'] });
    // 30 events: orders of every amount, invoices, and refunds (a type the late subscription ignores).
    const published: Array<{ id: string; type: string; amount: number }> = [];
    for (let i = 0; i < 30; i++) {
      const type = ['order.created', 'invoice.paid', 'order.refunded'][i % 3]!;
      const amount = i * 10;
      published.push({ id: (await publish(acme, type, { amount, n: i })).id, type, amount });
    }
    // The early subscription got all 30 from their fan-out.
    await receiver.waitFor(30);
    expect(receivedAt('/early')).toHaveLength(30);
    late = await subscribe(acme, '/late', { eventTypes: ['order.*'], filter: { 'data.amount': { $gte: 100 } } });
    expected = published.filter((e) => e.type.startsWith('order.') && e.amount >= 100).map((e) => e.id);
    expect(expected.length).toBeGreaterThan(0);
  });

  it('previews and then sends exactly the events its patterns and filter match', async () => {
    const preview = await previewed(acme, late.id, { from: since });
    expect(preview).toMatchObject({
      count: expected.length,
      capped: false,
      examined: 20,
      from: since,
      clampedFrom: null,
    });
    // The dashboard's door answers the same.
    expect(
      await trpcClient(engine.ctx, acme.key).subscriptions.backfillPreview.query({ id: late.id, from: since }),
    ).toMatchObject({ count: expected.length });

    first = await ok(backfill(acme, late.id, { from: since }), 202);
    expect(first).toMatchObject({
      kind: 'backfill',
      status: 'running',
      total: 20,
      clampedFrom: null,
      filter: { subscriptionId: late.id, from: since },
    });
    const done = await settled(acme, first.id);
    expect(done).toMatchObject({
      total: 20,
      enqueued: expected.length,
      skipped: 0,
      filteredOut: 20 - expected.length,
      delivered: expected.length,
      failed: 0,
    });
    expect(receivedAt('/late').sort()).toEqual([...expected].sort());
    // Bulk priority, below live traffic; one delivery per event.
    const made = await engine.ctx.db.select().from(deliveries).where(eq(deliveries.subscriptionId, late.id));
    expect(made.map((d) => d.priority)).toEqual(expected.map(() => 0));
    expect(made.every((d) => d.status === 'succeeded' && d.route === 'matched' && d.matchedPattern === 'order.*')).toBe(
      true,
    );
    const [audit] = await engine.ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.customerId, acme.id), eq(auditLog.action, 'backfill.started')));
    expect(audit).toMatchObject({
      targetId: late.id,
      after: expect.objectContaining({ backfillId: first.id, total: 20 }),
    });
  });

  it('a second backfill over the same range sends nothing: what the first sent is skipped', async () => {
    const preview = await previewed(acme, late.id, { from: since });
    expect(preview).toMatchObject({ count: 0, examined: 20 });
    const again = await ok(backfill(acme, late.id, { from: since }), 202);
    expect(await settled(acme, again.id)).toMatchObject({
      total: 20,
      enqueued: 0,
      skipped: expected.length,
      filteredOut: 20 - expected.length,
      delivered: 0,
    });
    expect(await deliveriesTo(late.id)).toBe(expected.length);
    // The subscription that had every event from its fan-out: all 30 skipped.
    const all = await ok(backfill(acme, early.id, { from: since }), 202);
    expect(await settled(acme, all.id)).toMatchObject({ total: 30, enqueued: 0, skipped: 30, filteredOut: 0 });
    // Its list of backfills, newest first.
    const list = await ok(
      rest('GET', '/subscriptions/{id}/backfills', { key: acme.key, params: { id: late.id } }),
      200,
    );
    expect(list.data.map((b: Json) => b.id)).toEqual([again.id, first.id]);
    // Bulk replays of dead letters are listed apart.
    expect((await ok(rest('GET', '/replays', { key: acme.key }), 200)).data).toEqual([]);
  });

  it('eventTypes narrows what is sent, among what the subscription matches', async () => {
    const narrow = await subscribe(acme, '/narrow', { eventTypes: ['order.*', 'invoice.paid'] });
    const preview = await previewed(acme, narrow.id, { from: since, eventTypes: 'invoice.*,order.created' });
    expect(preview).toMatchObject({ count: 20, examined: 20 });
    const b = await ok(backfill(acme, narrow.id, { from: since, eventTypes: ['invoice.*'] }), 202);
    expect(await settled(acme, b.id)).toMatchObject({
      total: 10,
      enqueued: 10,
      delivered: 10,
      filter: { eventTypes: ['invoice.*'] },
    });
    expect(receivedAt('/narrow')).toHaveLength(10);
  });

  it('a paused subscription is a 409 (what it were sent would only be held); its preview still answers', async () => {
    const paused = await subscribe(acme, '/paused', { eventTypes: ['*'], active: false });
    const refused = await unchanged(() => backfill(acme, paused.id, { from: since }));
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/paused: resume it/);
    expect((await previewed(acme, paused.id, { from: since })).count).toBe(30);
  });

  it('a range from ten years ago starts at the retention window, and is reported as clamped', async () => {
    const tenYears = new Date(Date.now() - 10 * 365 * 86400_000).toISOString();
    const wide = await subscribe(acme, '/wide', { eventTypes: ['invoice.paid'] });
    const window = engine.ctx.config.retentionDays * 86400_000;
    const asked = Date.now();
    const preview = await previewed(acme, wide.id, { from: tenYears });
    const answered = Date.now();
    expect(preview).toMatchObject({ count: 10, clampedFrom: tenYears });
    // From the oldest time the retention window keeps, when it was asked.
    expect(new Date(preview.from as string).getTime()).toBeGreaterThanOrEqual(asked - window);
    expect(new Date(preview.from as string).getTime()).toBeLessThanOrEqual(answered - window);
    const b = await ok(backfill(acme, wide.id, { from: tenYears }), 202);
    expect(b).toMatchObject({ clampedFrom: tenYears, total: 10 });
    expect(await settled(acme, b.id)).toMatchObject({ enqueued: 10, delivered: 10 });
  });

  it('bad ranges and patterns are a 400 naming the field, and start nothing', async () => {
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    const future = new Date(Date.now() + 3600_000).toISOString();
    const ancient = new Date(Date.now() - 400 * 86400_000).toISOString();
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{}, 'from', /ISO 8601/],
      [{ from: 'yesterday' }, 'from', /ISO 8601/],
      [{ from: hourAgo, to: hourAgo }, 'to', /must be after from/],
      [{ from: hourAgo, to: new Date(Date.now() - 7200_000).toISOString() }, 'to', /must be after from/],
      [{ from: future }, 'from', /must be in the past/],
      [
        { from: ancient, to: new Date(Date.now() - 399 * 86400_000).toISOString() },
        'to',
        /before the retention window: events are kept 30 days/,
      ],
      [{ from: hourAgo, eventTypes: ['order.**.x'] }, 'eventTypes.0', /"\*\*" is only allowed as the last segment/],
      [{ from: hourAgo, eventTypes: [] }, 'eventTypes', /.+/],
      [{ from: hourAgo, customerId: acme.id }, 'customerId', /unknown field/],
    ];
    for (const [body, field, reason] of cases) {
      const res = await unchanged(() => backfill(acme, late.id, body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.field, JSON.stringify(body)).toBe(field);
      expect(res.body.error.message, JSON.stringify(body)).toMatch(reason);
    }
    const preview = await previewRequest(acme, late.id, { from: hourAgo, eventTypes: 'order.*,bad..type' });
    expect(preview.status).toBe(400);
    expect(preview.body.error.field).toBe('eventTypes.1');
  });

  it("another customer's subscription is a 404, through every door, and nothing changes", async () => {
    const other = await tenant('Other');
    for (const res of [
      await unchanged(() => backfill(other, late.id, { from: since })),
      await previewRequest(other, late.id, { from: since }),
      await rest('GET', '/subscriptions/{id}/backfills', { key: other.key, params: { id: late.id } }),
      await rest('GET', '/replays/{id}', { key: other.key, params: { id: first.id as string } }),
      await unchanged(() => rest('DELETE', '/replays/{id}', { key: other.key, params: { id: first.id as string } })),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    await expect(
      trpcClient(engine.ctx, other.key).subscriptions.backfill.mutate({ id: late.id, from: new Date(since) }),
    ).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
  });
});

describe('cancel', () => {
  it(
    'stops a running backfill: no more is sent; a second one while it runs is a 409',
    { timeout: 120_000 },
    async () => {
      const t = await tenant('Canceller');
      // 2,000 retained events from before the subscription existed (written as a publish leaves them).
      const now = new Date();
      for (let b = 0; b < 2000; b += 500) {
        await engine.ctx.db.insert(events).values(
          Array.from({ length: 500 }, (_, i) => {
            const id = newId('event', now.getTime() - 60_000 + b + i);
            return {
              id,
              customerId: t.id,
              type: 'usage.reported',
              body: JSON.stringify({ id, type: 'usage.reported', timestamp: now.toISOString(), data: { n: b + i } }),
              createdAt: new Date(now.getTime() - 60_000 + b + i),
              retentionUntil: new Date(now.getTime() + 86400_000),
              fannedOutAt: now,
              deliveryCount: 0,
            };
          }),
        );
      }
      const sub = await subscribe(t, '/cancel', { eventTypes: ['usage.*'] });
      const from = new Date(now.getTime() - 120_000).toISOString();
      const b = await ok(backfill(t, sub.id, { from }), 202);
      expect(b).toMatchObject({ status: 'running', total: 2000 });
      // One batch of 100, then half a second of pacing before the next: cancel in between.
      await expect
        .poll(async () => (await progress(t, b.id)).enqueued, { timeout: 30_000, interval: 20 })
        .toBeGreaterThanOrEqual(100);
      const conflict = await startedNothing(() => backfill(t, sub.id, { from }));
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.message).toContain(b.id);
      const cancelled = await ok(rest('DELETE', '/replays/{id}', { key: t.key, params: { id: b.id } }), 200);
      expect(cancelled).toMatchObject({ kind: 'backfill', status: 'cancelled' });
      // The job sees the cancel at its next batch and ends.
      await expect
        .poll(
          async () =>
            (
              await engine.ctx.db.execute<{ state: string }>(
                sql`select state from pgboss.job where name = 'bulk-replay' and data->>'replayId' = ${b.id}`,
              )
            )[0]?.state,
          { timeout: 30_000 },
        )
        .toBe('completed');
      const [row] = await engine.ctx.db.select().from(bulkReplays).where(eq(bulkReplays.id, b.id));
      expect(row!.status).toBe('cancelled');
      expect(row!.enqueued).toBeLessThan(2000);
      expect(await deliveriesTo(sub.id)).toBe(row!.enqueued);
      // What was sent before the cancel is delivered; cancelling again is a 409.
      await expect.poll(async () => (await progress(t, b.id)).delivered, { timeout: 60_000 }).toBe(row!.enqueued);
      expect((await rest('DELETE', '/replays/{id}', { key: t.key, params: { id: b.id } })).status).toBe(409);
      const audit = await engine.ctx.db
        .select({ action: auditLog.action })
        .from(auditLog)
        .where(and(eq(auditLog.customerId, t.id), eq(auditLog.targetId, sub.id)));
      expect(audit.map((a) => a.action).sort()).toEqual([
        'backfill.cancelled',
        'backfill.started',
        'subscription.created',
      ]);
      // A new backfill may start once it is over, and sends the rest.
      const rest2 = await ok(backfill(t, sub.id, { from }), 202);
      expect(await settled(t, rest2.id)).toMatchObject({
        total: 2000,
        skipped: row!.enqueued,
        enqueued: 2000 - row!.enqueued,
      });
    },
  );
});
