import { and, asc, eq, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attempts, broadcasts, deliveries, events, subscriptions } from '../../../drizzle/schema';
import type { Json, Rest } from '../../../tests/support/api';
import { createTenant, ok, startApiEngine, type ApiEngine } from '../../../tests/support/api-world';
import { startReceiver } from '../../../tests/support/receiver';
import { getUsage } from '../insights/usage';
import { platformScope } from '../context';
import { createApiKey, createCustomerApiKey } from '../tenants/api-keys';
import { listCustomers } from '../tenants/customers';
import { PLATFORM_CUSTOMER_ID } from '../platform-customer';

/**
 * Operational webhooks have no engine of their own: a customer's failing endpoint opens its breaker,
 * and the `subscription.failing` that follows is an event of the platform customer, fanned out to the
 * operational webhook (a subscription of that customer) and sent as a `deliver` job of the platform
 * customer's pg-boss group, signed v1, retried by the retry policy with an attempt row per try. A
 * failing operational webhook opens its own breaker and emits nothing about itself. The platform
 * customer appears in no customer list, platform-wide read or usage.
 */
let engine: ApiEngine;
let rest: Rest;
let platformKey: string;
let customer: { id: string; key: string };
/** The platform's receiver: refuses its first request (500), then takes everything. */
let ops: Awaited<ReturnType<typeof startReceiver>>;
/** An operational endpoint that always fails. */
let broken: Awaited<ReturnType<typeof startReceiver>>;
/** The customer's endpoint: always down. */
let endpoint: Awaited<ReturnType<typeof startReceiver>>;
let opsHook: { id: string; secret: string };
let brokenHookId: string;
let customerSubId: string;

beforeAll(async () => {
  engine = await startApiEngine('one-engine', { retryTimeScale: 0.001, breakerThreshold: 2 }, 'platform');
  ({ rest, platformKey } = engine);
  ops = await startReceiver((_r, i) => (i === 0 ? { status: 500 } : { status: 204 }));
  broken = await startReceiver(() => ({ status: 500 }));
  endpoint = await startReceiver(() => ({ status: 500, body: 'down' }));
  customer = await createTenant(rest, platformKey, 'Down', { scopes: ['publish', 'read', 'manage'] });
});

afterAll(async () => {
  await Promise.all([ops, broken, endpoint].map((r) => r?.close()));
  await engine?.stop();
});

describe('operational webhooks on the one engine', () => {
  it("a breaker opening reaches the platform's receiver through the deliver queue, retried with an attempt row per try", async () => {
    opsHook = (await ok(
      rest('POST', '/operational-webhooks', {
        key: platformKey,
        body: { url: `${ops.url}/ops`, eventTypes: ['subscription.failing'] },
      }),
      201,
    )) as { id: string; secret: string };
    customerSubId = (
      await ok(
        rest('POST', '/subscriptions', {
          key: customer.key,
          body: { url: `${endpoint.url}/hook`, eventTypes: ['order.*'] },
        }),
        201,
      )
    ).id as string;
    for (const n of [1, 2])
      await ok(rest('POST', '/events', { key: customer.key, body: { type: 'order.created', data: { n } } }), 202);

    // The first request to the receiver failed (500); the engine's retry succeeded, same webhook-id.
    await ops.waitFor(2, 60_000);
    const [first, second] = ops.received;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.headers['webhook-signature']).toMatch(/^v1,/);
    const notice = new Webhook(opsHook.secret).verify(second!.body, second!.headers) as {
      id: string;
      type: string;
      data: Json;
    };
    expect(notice).toMatchObject({
      id: second!.headers['webhook-id'],
      type: 'subscription.failing',
      data: {
        customerId: customer.id,
        subscriptionId: customerSubId,
        reason: 'circuit_breaker_open',
        lastError: 'HTTP 500',
      },
    });
    expect(Object.keys(JSON.parse(second!.body) as object)).toEqual(['id', 'type', 'timestamp', 'data']);

    // The notice is an event of the platform customer, and its delivery a delivery of it.
    const [event] = await engine.ctx.db.select().from(events).where(eq(events.id, notice.id));
    expect(event).toMatchObject({ customerId: PLATFORM_CUSTOMER_ID, type: 'subscription.failing', body: second!.body });
    const [delivery] = await engine.ctx.db.select().from(deliveries).where(eq(deliveries.eventId, notice.id));
    expect(delivery).toMatchObject({ customerId: PLATFORM_CUSTOMER_ID, subscriptionId: opsHook.id });
    await expect
      .poll(
        async () => (await engine.ctx.db.select().from(deliveries).where(eq(deliveries.id, delivery!.id)))[0]!.status,
      )
      .toBe('succeeded');
    const tries = await engine.ctx.db
      .select()
      .from(attempts)
      .where(eq(attempts.deliveryId, delivery!.id))
      .orderBy(asc(attempts.attemptSeq));
    expect(tries.map((a) => [a.attemptSeq, a.trigger, a.status, a.responseStatus])).toEqual([
      [1, 'initial', 'failed', 500],
      [2, 'retry', 'succeeded', 204],
    ]);

    // Both attempts went out as `deliver` jobs of the platform customer's group.
    const jobs = await engine.ctx.db.execute<{ n: number }>(sql`
      select count(*)::int as n from pgboss.job
      where name = 'deliver' and group_id = ${PLATFORM_CUSTOMER_ID} and data->'deliveries' @> ${JSON.stringify([{ id: delivery!.id }])}::jsonb`);
    expect(jobs[0]!.n).toBe(2);

    // The operational delivery lists under its webhook with the fields it always had.
    const listed = await ok(
      rest('GET', '/operational-webhooks/{id}/deliveries', { key: platformKey, params: { id: opsHook.id } }),
    );
    expect(listed.data).toEqual([
      expect.objectContaining({
        id: `odl_${delivery!.id.slice(4)}`,
        webhookId: opsHook.id,
        eventId: notice.id,
        eventType: 'subscription.failing',
        status: 'succeeded',
        attemptCount: 2,
        lastResponseStatus: 204,
        lastError: null,
        nextAttemptAt: null,
        payload: JSON.parse(second!.body),
      }),
    ]);
  });

  it('a failing operational webhook opens its own breaker and emits nothing about itself', async () => {
    brokenHookId = (
      await ok(rest('POST', '/operational-webhooks', { key: platformKey, body: { url: `${broken.url}/ops` } }), 201)
    ).id as string;
    // Another customer endpoint fails: the notices go to both webhooks; the broken one fails them.
    const sub = await ok(
      rest('POST', '/subscriptions', {
        key: customer.key,
        body: { url: `${endpoint.url}/other`, eventTypes: ['invoice.*'] },
      }),
      201,
    );
    for (const n of [1, 2])
      await ok(rest('POST', '/events', { key: customer.key, body: { type: 'invoice.paid', data: { n } } }), 202);

    const brokenSub = async () =>
      (await engine.ctx.db.select().from(subscriptions).where(eq(subscriptions.id, brokenHookId)))[0]!;
    await expect.poll(async () => (await brokenSub()).breakerState, { timeout: 60_000 }).not.toBe('closed');
    expect(broken.received.length).toBeGreaterThanOrEqual(2);
    expect(broken.received.some((r) => (JSON.parse(r.body) as { data: Json }).data.subscriptionId === sub.id)).toBe(
      true,
    );

    // Time for any notice about it to have been made: none is, not a breaker opening nor a dead delivery.
    await new Promise((r) => setTimeout(r, 1000));
    const platformEvents = await engine.ctx.db
      .select({ body: events.body })
      .from(events)
      .where(eq(events.customerId, PLATFORM_CUSTOMER_ID));
    const about = platformEvents.map(
      (e) => (JSON.parse(e.body) as { data: { customerId: string; subscriptionId: string } }).data,
    );
    expect(about.length).toBeGreaterThan(0);
    expect(about.filter((d) => d.customerId === PLATFORM_CUSTOMER_ID || d.subscriptionId.startsWith('owh_'))).toEqual(
      [],
    );
  });

  it("a broadcast reaches every customer's matching subscriptions, never the operational webhooks", async () => {
    // The broken webhook takes every type: a broadcast fan-out that read the platform customer's subscriptions would match it.
    const b = await ok(
      rest('POST', '/events', { key: platformKey, body: { type: 'invoice.paid', data: { n: 3 }, broadcast: true } }),
      202,
    );
    await expect
      .poll(
        async () =>
          (
            await engine.ctx.db
              .select()
              .from(broadcasts)
              .where(eq(broadcasts.id, b.id as string))
          )[0]?.fannedOutAt ?? null,
        { timeout: 30_000 },
      )
      .not.toBeNull();
    const reached = await engine.ctx.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.eventId, b.id as string));
    expect(reached.map((d) => d.customerId)).toEqual([customer.id]);
  });

  it('an operational webhook answering 410 is disabled and holds what comes; a new URL sends it', async () => {
    const gone = await startReceiver(() => ({ status: 410 }));
    const fixed = await startReceiver(() => ({ status: 204 }));
    try {
      const hook = await ok(
        rest('POST', '/operational-webhooks', {
          key: platformKey,
          body: { url: `${gone.url}/ops`, eventTypes: ['delivery.dead'] },
        }),
        201,
      );
      const sub = await ok(
        rest('POST', '/subscriptions', {
          key: customer.key,
          body: { url: `${endpoint.url}/refunds`, eventTypes: ['refund.*'], retryPolicy: { maxAttempts: 1 } },
        }),
        201,
      );
      await ok(rest('POST', '/events', { key: customer.key, body: { type: 'refund.created', data: { n: 1 } } }), 202);
      await gone.waitFor(1, 60_000);
      const hookSub = async () =>
        (
          await engine.ctx.db
            .select()
            .from(subscriptions)
            .where(eq(subscriptions.id, hook.id as string))
        )[0]!;
      await expect.poll(async () => (await hookSub()).active, { timeout: 30_000 }).toBe(false);
      const [held] = await engine.ctx.db
        .select()
        .from(deliveries)
        .where(eq(deliveries.subscriptionId, hook.id as string));
      expect(held).toMatchObject({ status: 'held' });
      // To the platform it is still to be sent.
      const listed = await ok(
        rest('GET', '/operational-webhooks/{id}/deliveries', { key: platformKey, params: { id: hook.id as string } }),
      );
      expect(listed.data).toEqual([expect.objectContaining({ status: 'pending', lastResponseStatus: 410 })]);

      await ok(
        rest('PATCH', '/operational-webhooks/{id}', {
          key: platformKey,
          params: { id: hook.id as string },
          body: { url: `${fixed.url}/ops` },
        }),
      );
      await fixed.waitFor(1, 60_000);
      const notice = new Webhook(hook.secret as string).verify(fixed.received[0]!.body, fixed.received[0]!.headers) as {
        type: string;
        data: Json;
      };
      expect(notice).toMatchObject({ type: 'delivery.dead', data: { subscriptionId: sub.id } });
      await expect
        .poll(async () => (await engine.ctx.db.select().from(deliveries).where(eq(deliveries.id, held!.id)))[0]!.status)
        .toBe('succeeded');
      expect(await hookSub()).toMatchObject({ active: true, disabledReason: null });
      expect(gone.received).toHaveLength(1);
    } finally {
      await Promise.all([gone.close(), fixed.close()]);
    }
  });

  it('the platform customer appears in no customer list, lookup, platform-wide read or usage', async () => {
    const listedCustomers = await ok(rest('GET', '/customers', { key: platformKey, query: { limit: '200' } }));
    expect((listedCustomers.data as Json[]).map((c) => c.id)).toEqual([customer.id]);
    expect((await listCustomers(engine.ctx, platformScope, { limit: 200 })).data.map((c) => c.id)).toEqual([
      customer.id,
    ]);
    // Not reachable by id: refused at the door (not a customer id) or, past it, a 404.
    expect(
      (await rest('GET', '/customers/{id}', { key: platformKey, params: { id: PLATFORM_CUSTOMER_ID } })).status,
    ).toBe(400);
    await expect(createCustomerApiKey(engine.ctx, platformScope, PLATFORM_CUSTOMER_ID)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(createApiKey(engine.ctx, PLATFORM_CUSTOMER_ID)).rejects.toMatchObject({ code: 'not_found' });
    await expect(getUsage(engine.ctx, platformScope, { customerId: PLATFORM_CUSTOMER_ID })).rejects.toMatchObject({
      code: 'not_found',
    });

    // Platform-wide reads: the operational webhooks, their events and deliveries are not among them.
    const subs = await ok(rest('GET', '/subscriptions', { key: platformKey, query: { limit: '200' } }));
    expect((subs.data as Json[]).every((s) => s.customerId === customer.id)).toBe(true);
    const evts = await ok(rest('GET', '/events', { key: platformKey, query: { limit: '200' } }));
    // The customer's events and the broadcast; none of the platform customer's (test 2 made some).
    expect((evts.data as Json[]).map((e) => e.customerId)).not.toContain(PLATFORM_CUSTOMER_ID);
    expect((evts.data as Json[]).some((e) => e.customerId === customer.id)).toBe(true);
    const dlvs = await ok(rest('GET', '/deliveries', { key: platformKey, query: { limit: '200' } }));
    expect((dlvs.data as Json[]).every((d) => d.customerId === customer.id)).toBe(true);
    const [opsDelivery] = await engine.ctx.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.customerId, PLATFORM_CUSTOMER_ID)));
    expect((await rest('GET', '/deliveries/{id}', { key: platformKey, params: { id: opsDelivery!.id } })).status).toBe(
      404,
    );
    expect(
      (await rest('POST', '/deliveries/{id}/replay', { key: platformKey, params: { id: opsDelivery!.id } })).status,
    ).toBe(404);

    // Usage counts the customer's attempts and none of the platform customer's. Both are written in
    // one transaction; the worker goes on retrying earlier tests' deliveries, so the usage read
    // falls between two counts of the customer's attempt rows.
    const attemptRows = async () =>
      (
        await engine.ctx.db.execute<{ n: number }>(
          sql`select count(*)::int as n from attempts where customer_id = ${customer.id}`,
        )
      )[0]!.n;
    const before = await attemptRows();
    const usage = await getUsage(engine.ctx, platformScope, {});
    const after = await attemptRows();
    expect(usage.data.map((d) => d.customerId)).toEqual([customer.id]);
    expect(usage.totals.deliveriesAttempted).toBeGreaterThanOrEqual(before);
    expect(usage.totals.deliveriesAttempted).toBeLessThanOrEqual(after);
  });
});
