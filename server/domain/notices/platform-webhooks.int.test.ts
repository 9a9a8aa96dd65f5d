import { eq, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, subscriptions } from '../../../drizzle/schema';
import { typedClient, type Json, type Rest } from '../../../tests/support/api';
import { createTenant, ok, startApiEngine } from '../../../tests/support/api-world';
import { onlyDelivery, waitForStatus } from '../../../tests/support/engine';
import { fileScoped } from '../../../tests/support/file-scoped';
import { startReceiver, type Received, type Reply } from '../../../tests/support/receiver';
import { openBreaker } from '../../../tests/support/seed';
import { verifyWebhook } from '../delivery/signing';
import { PLATFORM_CUSTOMER_ID } from '../platform-customer';

/**
 * Operational webhooks end to end: faults injected at a customer's real endpoint (5xx, 410, a breaker
 * held open past the window) produce the operational events, which a real receiver of the platform
 * gets, signed like a v1 delivery (verified with the standardwebhooks library and verifyWebhook),
 * retried on failure by the one delivery engine (`deliver` jobs of the platform customer), and listed
 * under the webhook. Retry and breaker time is scaled (0.001).
 */
const engine = fileScoped(() =>
  startApiEngine('operational', { retryTimeScale: 0.001, breakerThreshold: 2 }, 'platform'),
);
let rest: Rest;
let platformKey: string;
let customer: { id: string; key: string };
/** The platform's receiver (every operational event type) and a second one that wants only `delivery.dead`. */
let ops: Awaited<ReturnType<typeof startReceiver>>;
let deadOnly: Awaited<ReturnType<typeof startReceiver>>;
let opsHook: { id: string; secret: string };
let deadOnlyHook: { id: string; secret: string };
/** The customer's endpoint: each test sets how it answers, per path. */
let endpoint: Awaited<ReturnType<typeof startReceiver>>;
const answers = new Map<string, (r: Received) => Reply>();
let opsRequests = 0;

type OpsEvent = {
  id: string;
  type: string;
  timestamp: string;
  data: Json;
  headers: Record<string, string>;
  body: string;
};

const parsed = (r: Received): OpsEvent => ({
  ...(JSON.parse(r.body) as { id: string; type: string; timestamp: string; data: Json }),
  headers: r.headers,
  body: r.body,
});
/** Distinct operational events (a retried one arrives twice with the same id: receivers dedupe on it). */
const eventsAt = (recv: typeof ops, type: string, subscriptionId: string) => [
  ...new Map(
    recv.received
      .map(parsed)
      .filter((e) => e.type === type && e.data.subscriptionId === subscriptionId)
      .map((e) => [e.id, e]),
  ).values(),
];

/** Waits until `recv` got an operational event of `type` about `subscriptionId`, and returns it. */
async function received(recv: typeof ops, type: string, subscriptionId: string, timeout = 60_000): Promise<OpsEvent> {
  await expect.poll(() => eventsAt(recv, type, subscriptionId).length, { timeout, interval: 50 }).toBeGreaterThan(0);
  return eventsAt(recv, type, subscriptionId)[0]!;
}

function expectGenuine(e: OpsEvent, secret: string) {
  expect(new Webhook(secret).verify(e.body, e.headers)).toMatchObject({ id: e.id, type: e.type });
  expect(() => verifyWebhook(secret, e.headers, e.body)).not.toThrow();
  expect(e.headers['webhook-id']).toBe(e.id);
  expect(e.id).toMatch(/^evt_/);
}

/** `received`, then checked to be signed with `secret` (by default the platform webhook's own). */
async function receivedGenuine(recv: typeof ops, type: string, subscriptionId: string, secret = opsHook.secret) {
  const e = await received(recv, type, subscriptionId);
  expectGenuine(e, secret);
  return e;
}

/** A subscription of the customer at `path` (to `<path>.*` events), which its endpoint answers by `answer`. */
async function subscribe(
  path: string,
  answer: (r: Received) => Reply,
  body: Record<string, unknown> = {},
): Promise<string> {
  answers.set(path, answer);
  return (
    await ok(
      rest('POST', '/subscriptions', {
        key: customer.key,
        body: { url: `${endpoint.url}${path}`, eventTypes: [`${path.slice(1)}.*`], ...body },
      }),
      201,
    )
  ).id as string;
}
const publish = async (type: string) =>
  (await ok(rest('POST', '/events', { key: customer.key, body: { type, data: { at: Date.now() } } }), 202))
    .id as string;

beforeAll(async () => {
  ({ rest, platformKey } = engine);
  // The platform's endpoint refuses its very first request (503): that operational delivery is retried.
  ops = await startReceiver(() => (opsRequests++ === 0 ? { status: 503 } : { status: 204 }));
  deadOnly = await startReceiver();
  // Answers by the event's type: `flaky.*` events go to the `/flaky` subscription, and so on.
  endpoint = await startReceiver((r, i) => {
    const answer = [...answers.entries()].find(([p]) =>
      (JSON.parse(r.body) as { type: string }).type.startsWith(`${p.slice(1)}.`),
    )?.[1];
    return answer ? answer(r) : { status: 200, body: String(i) };
  });
  customer = await createTenant(rest, platformKey, 'Flaky');
});

afterAll(async () => {
  await Promise.all([ops, deadOnly, endpoint].map((r) => r?.close()));
});

describe('operational webhooks', () => {
  it('are registered by the platform only (typed client): a customer key gets 403', async () => {
    const asCustomer = await typedClient(engine.ctx, customer.key).POST('/api/v1/operational-webhooks', {
      body: { url: `${ops.url}/ops` },
    });
    expect(asCustomer.response.status).toBe(403);
    expect(asCustomer.error?.error.code).toBe('forbidden');

    const platform = typedClient(engine.ctx, platformKey);
    const created = await platform.POST('/api/v1/operational-webhooks', {
      body: { url: `${ops.url}/ops`, description: 'pager' },
    });
    expect(created.response.status).toBe(201);
    expect(created.data).toMatchObject({
      id: expect.stringMatching(/^owh_/),
      secret: expect.stringMatching(/^whsec_/),
      eventTypes: null,
      description: 'pager',
    });
    opsHook = { id: created.data!.id, secret: created.data!.secret };
    const filtered = await platform.POST('/api/v1/operational-webhooks', {
      body: { url: `${deadOnly.url}/dead`, eventTypes: ['delivery.dead'] },
    });
    deadOnlyHook = { id: filtered.data!.id, secret: filtered.data!.secret };
    expect((await platform.GET('/api/v1/operational-webhooks')).data!.data.map((w) => w.id).sort()).toEqual(
      [opsHook.id, deadOnlyHook.id].sort(),
    );
  });

  it('subscription.failing when the breaker opens, once; subscription.recovered when a probe succeeds', async () => {
    let down = true;
    const subId = await subscribe('/flaky', () => (down ? { status: 500, body: 'down' } : { status: 200 }));
    const events = [await publish('flaky.one'), await publish('flaky.two')];

    // Both events are about this subscription, and say so in full.
    const about = { customerId: customer.id, subscriptionId: subId, url: `${endpoint.url}/flaky` };
    const failing = await receivedGenuine(ops, 'subscription.failing', subId);
    expect(failing.data).toEqual({ ...about, reason: 'circuit_breaker_open', lastError: 'HTTP 500' });

    // A few failed probes later, the endpoint comes back: the next probe closes the breaker.
    await expect
      .poll(
        async () =>
          (await engine.ctx.db.select().from(subscriptions).where(eq(subscriptions.id, subId)))[0]!.breakerFailures,
        { timeout: 30_000 },
      )
      .toBeGreaterThan(3);
    down = false;
    const recovered = await receivedGenuine(ops, 'subscription.recovered', subId);
    expect(recovered.data).toEqual({ ...about, reason: 'probe_succeeded' });
    for (const id of events) await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, id)).id, 'succeeded');
    // Re-opening after each failed probe is not news: one failing event for the whole outage.
    expect(eventsAt(ops, 'subscription.failing', subId)).toHaveLength(1);
    expect(eventsAt(ops, 'subscription.recovered', subId)).toHaveLength(1);
    expect(deadOnly.received.map(parsed).filter((e) => e.data.subscriptionId === subId)).toEqual([]);
  });

  it('subscription.disabled with reason "gone" when the endpoint answers 410, once', async () => {
    const subId = await subscribe('/gone', () => ({ status: 410 }));
    const ids = [await publish('gone.one'), await publish('gone.two')];
    const disabled = await receivedGenuine(ops, 'subscription.disabled', subId);
    expect(disabled.data).toMatchObject({
      customerId: customer.id,
      subscriptionId: subId,
      reason: 'gone',
      message: expect.stringContaining('410 Gone'),
    });
    for (const id of ids) await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, id)).id, 'held');
    expect(eventsAt(ops, 'subscription.disabled', subId)).toHaveLength(1);
    const sub = await ok(rest('GET', '/subscriptions/{id}', { key: customer.key, params: { id: subId } }));
    expect(sub).toMatchObject({ active: false, disabledReason: disabled.data.message, heldDeliveries: 2 });
  });

  it('delivery.dead when a delivery exhausts its attempts, to both webhooks (the filtered one wants only this type)', async () => {
    const subId = await subscribe('/doomed', () => ({ status: 500 }), { retryPolicy: { maxAttempts: 1 } });
    const eventId = await publish('doomed.one');
    const delivery = await onlyDelivery(engine.ctx, eventId);
    const dead = await receivedGenuine(ops, 'delivery.dead', subId);
    expect(dead.data).toEqual({
      customerId: customer.id,
      subscriptionId: subId,
      deliveryId: delivery.id,
      eventId,
      eventType: 'doomed.one',
      reason: 'retries_exhausted',
      message: 'gave up after 1 attempt (last: HTTP 500)',
      attemptCount: 1,
    });
    const copy = await receivedGenuine(deadOnly, 'delivery.dead', subId, deadOnlyHook.secret);
    // One operational event, one id, whichever webhook hears it.
    expect(copy.id).toBe(dead.id);
    expect(deadOnly.received.map(parsed).every((e) => e.type === 'delivery.dead')).toBe(true);
  });

  it('delivery.dead when the retry window ends behind an open breaker (no attempt made)', async () => {
    // A 10 s window (10 ms scaled) and a breaker held open for an hour: the window ends first.
    const subId = await subscribe('/held', () => ({ status: 200 }), {
      retryPolicy: { scheduleSeconds: [10], maxAttempts: 2 },
    });
    await openBreaker(engine.ctx, subId);
    const eventId = await publish('held.one');
    const delivery = await onlyDelivery(engine.ctx, eventId);
    const dead = await receivedGenuine(ops, 'delivery.dead', subId);
    expect(dead.data).toMatchObject({
      subscriptionId: subId,
      deliveryId: delivery.id,
      eventId,
      reason: 'window_ended_behind_breaker',
      attemptCount: 0,
      message: expect.stringContaining('circuit breaker'),
    });
    expect((await onlyDelivery(engine.ctx, eventId)).status).toBe('dead');
    expect(endpoint.received.filter((r) => (JSON.parse(r.body) as { type: string }).type === 'held.one')).toEqual([]);
  });

  it('a failed operational delivery is retried on the schedule and shows under its webhook', async () => {
    // The very first operational request got a 503 (see the receiver): it was retried and succeeded.
    const page = await typedClient(engine.ctx, platformKey).GET('/api/v1/operational-webhooks/{id}/deliveries', {
      params: { path: { id: opsHook.id }, query: { limit: 200 } },
    });
    const rows = page.data!.data;
    expect(rows.length).toBeGreaterThanOrEqual(5);
    await expect
      .poll(
        async () => {
          const again = await ok(
            rest('GET', '/operational-webhooks/{id}/deliveries', {
              key: platformKey,
              params: { id: opsHook.id },
              query: { status: 'succeeded' },
            }),
          );
          return again.data.find((d: Json) => d.attemptCount === 2);
        },
        { timeout: 30_000 },
      )
      .toMatchObject({ status: 'succeeded', lastResponseStatus: 204, webhookId: opsHook.id, lastError: null });
    const retried = rows.at(-1)!;
    expect(retried).toMatchObject({
      id: expect.stringMatching(/^odl_/),
      eventId: expect.stringMatching(/^evt_/),
      payload: { id: retried.eventId, type: retried.eventType },
    });
    // The receiver saw that event twice, with the same webhook-id.
    expect(ops.received.filter((r) => r.headers['webhook-id'] === retried.eventId)).toHaveLength(2);
    expect(ops.received[0]!.headers['webhook-id']).toBe(retried.eventId);
    // Another webhook's deliveries are not listed here.
    expect(rows.every((d) => d.webhookId === opsHook.id)).toBe(true);
  });

  it("count against no customer: the platform customer's own pg-boss group, deliveries and usage; no second queue", async () => {
    // Every operational attempt went out as a `deliver` job of the platform customer's group.
    const grouped = await engine.ctx.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pgboss.job where name = 'deliver' and group_id = ${PLATFORM_CUSTOMER_ID}`,
    );
    expect(grouped[0]!.n).toBeGreaterThan(0);
    const retired = await engine.ctx.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pgboss.queue where name = 'operational-deliver'`,
    );
    expect(retired[0]!.n).toBe(0);
    // Every delivery is the customer's to its own subscriptions, or the platform customer's to an operational webhook.
    const all = await engine.ctx.db.select().from(deliveries);
    expect(
      all.every(
        (d) =>
          d.customerId === customer.id ||
          (d.customerId === PLATFORM_CUSTOMER_ID && d.subscriptionId.startsWith('owh_')),
      ),
    ).toBe(true);
    expect(all.some((d) => d.customerId === PLATFORM_CUSTOMER_ID)).toBe(true);
    // The customer's usage counts its own attempts only; the platform customer has none.
    const usage = await engine.ctx.db.execute<{ customer_id: string }>(
      sql`select distinct customer_id from usage_deltas union select customer_id from usage_daily`,
    );
    expect(usage.map((u) => u.customer_id)).not.toContain(PLATFORM_CUSTOMER_ID);
  });

  it('after a secret rotation both secrets sign for 24 h', async () => {
    const rotated = await ok(
      rest('POST', '/operational-webhooks/{id}/rotate-secret', { key: platformKey, params: { id: opsHook.id } }),
    );
    const subId = await subscribe('/again', () => ({ status: 500 }), { retryPolicy: { maxAttempts: 1 } });
    await publish('again.one');
    const dead = await received(ops, 'delivery.dead', subId);
    expect(dead.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expectGenuine(dead, rotated.secret);
    expectGenuine(dead, opsHook.secret);
  });
});
