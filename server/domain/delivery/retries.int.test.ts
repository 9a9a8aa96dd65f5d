import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { deliveries, events, subscriptions } from '../../../drizzle/schema';
import {
  attemptsOf,
  deliveryOf,
  expectVerified,
  gaps,
  onlyDelivery,
  startEngine,
  subscribedReceiver,
  waitForStatus,
} from '../../../tests/support/engine';
import { fileScoped } from '../../../tests/support/file-scoped';
import type { Reply } from '../../../tests/support/receiver';
import { performAttempt } from './attempt';
import { unbatchedIo } from '../../../tests/support/attempt-io';
import { platformScope } from '../context';
import { newId } from '../ids';
import { DEFAULT_SCHEDULE_SECONDS, JITTER } from './retry-policy';
import { updateSubscription } from '../subscriptions/subscription-changes';

/**
 * Retries against real receivers. RETRY_TIME_SCALE 0.03 turns the default schedule's first delays
 * (10 s, 30 s, 90 s) into 300, 900 and 2,700 ms: long enough to tell apart, short enough to run.
 */
const SCALE = 0.03;
const engine = fileScoped(() => startEngine('retries', { retryTimeScale: SCALE }));

const setup = (
  reply: (index: number, webhookId: string) => Reply,
  sub: { retryPolicy?: { maxAttempts?: number; scheduleSeconds?: number[] }; timeoutMs?: number } = {},
) => subscribedReceiver(engine, 'Retry', (req, i) => reply(i, req.headers['webhook-id'] ?? ''), sub);

describe('retries', () => {
  it('a receiver that fails 3 times gets exactly 4 attempts, one webhook-id, growing gaps', async () => {
    const { r, sub, publish } = await setup((i) => (i < 3 ? { status: 500, body: 'boom' } : { status: 200 }));
    const event = await publish();
    const d = await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, event.id)).id, 'succeeded');
    expect(d.attemptCount).toBe(4);

    const rows = await attemptsOf(engine.ctx, d.id);
    expect(rows.map((a) => [a.attemptSeq, a.status, a.responseStatus, a.trigger])).toEqual([
      [1, 'failed', 500, 'initial'],
      [2, 'failed', 500, 'retry'],
      [3, 'failed', 500, 'retry'],
      [4, 'succeeded', 200, 'retry'],
    ]);
    expect(rows[0]).toMatchObject({ errorClass: 'http_status', errorMessage: 'HTTP 500', responseBody: 'boom' });

    // Nothing more arrives after the success.
    expect(r.received).toHaveLength(4);
    expect(new Set(r.received.map((x) => x.headers['webhook-id']))).toEqual(new Set([event.id]));
    expectVerified(r.received, sub.secret);

    // Each retry was scheduled within ±20% of the default delay (scaled), and not run before it.
    for (let i = 0; i < 3; i++) {
      const a = rows[i]!;
      const nominal = DEFAULT_SCHEDULE_SECONDS[i]! * SCALE * 1000;
      const scheduled = a.nextRetryAt!.getTime() - a.startedAt.getTime() - a.latencyMs;
      expect(scheduled).toBeGreaterThanOrEqual(nominal * (1 - JITTER) - 5);
      expect(scheduled).toBeLessThanOrEqual(nominal * (1 + JITTER) + 50);
      expect(rows[i + 1]!.startedAt.getTime()).toBeGreaterThanOrEqual(a.nextRetryAt!.getTime());
    }
    const g = gaps(r.received);
    expect(g[1]!).toBeGreaterThan(g[0]!);
    expect(g[2]!).toBeGreaterThan(g[1]!);
  });

  it('timeouts are recorded as error class timeout and retried', async () => {
    const { r, sub, publish } = await setup((i) => (i === 0 ? { status: 200, delayMs: 2000 } : { status: 200 }), {
      timeoutMs: 300,
    });
    const event = await publish();
    const d = await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, event.id)).id, 'succeeded');
    const rows = await attemptsOf(engine.ctx, d.id);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      status: 'failed',
      errorClass: 'timeout',
      responseStatus: null,
      errorMessage: 'no response within 300 ms',
    });
    expect(rows[0]!.latencyMs).toBeGreaterThanOrEqual(290);
    expect(rows[1]).toMatchObject({ status: 'succeeded', responseStatus: 200, errorClass: null });
    expectVerified(r.received, sub.secret);
  });

  it('a refused connection is recorded as error class connection and retried', async () => {
    // A 100 s retry (3 s scaled) is also the whole window: a loaded machine that takes a moment to
    // make the first attempt must not spend it before the retry is scheduled.
    const { r, sub, publish } = await setup(() => ({ status: 200 }), {
      retryPolicy: { maxAttempts: 2, scheduleSeconds: [100] },
    });
    const port = new URL(r.url).port;
    await r.close(); // nothing listens there any more
    await engine.ctx.db
      .update(subscriptions)
      .set({ url: `http://127.0.0.1:${port}/hook` })
      .where(eq(subscriptions.id, sub.id));
    const event = await publish();
    const d = await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, event.id)).id, 'dead');
    const rows = await attemptsOf(engine.ctx, d.id);
    expect(rows.map((a) => [a.status, a.errorClass])).toEqual([
      ['failed', 'connection'],
      ['failed', 'connection'],
    ]);
    expect(d.lastError).toMatch(/^gave up after 2 attempts.*\(last: connection refused\)$/);
  });
});

describe('Retry-After', () => {
  it.each([429, 503])(
    '%s with Retry-After seconds: the next attempt waits as asked, not the schedule',
    async (status) => {
      // 60 s asked versus 10 s ±20% scheduled.
      const { r, sub, publish } = await setup((i) =>
        i === 0 ? { status, headers: { 'retry-after': '60' } } : { status: 200 },
      );
      const event = await publish();
      const d = await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, event.id)).id, 'succeeded');
      const [first, second] = await attemptsOf(engine.ctx, d.id);
      const asked = 60 * SCALE * 1000;
      const scheduled = first!.nextRetryAt!.getTime() - first!.startedAt.getTime() - first!.latencyMs;
      expect(scheduled).toBeGreaterThanOrEqual(asked - 5);
      expect(scheduled).toBeLessThanOrEqual(asked + 50);
      expect(second!.startedAt.getTime()).toBeGreaterThanOrEqual(first!.nextRetryAt!.getTime());
      expect(first!.responseHeaders?.['retry-after']).toBe('60');
      expect(gaps(r.received)[0]!).toBeGreaterThanOrEqual(asked - 5);
      expectVerified(r.received, sub.secret);
    },
  );

  it('429 with an HTTP-date: the next attempt waits until then', async () => {
    const { r, publish } = await setup((i) =>
      i === 0
        ? { status: 429, headers: { 'retry-after': new Date(Date.now() + 80_000).toUTCString() } }
        : { status: 200 },
    );
    const event = await publish();
    const d = await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, event.id)).id, 'succeeded');
    const [first] = await attemptsOf(engine.ctx, d.id);
    const scheduled = first!.nextRetryAt!.getTime() - first!.startedAt.getTime() - first!.latencyMs;
    // The date has whole seconds: between 79 and 80 s away when the answer came.
    expect(scheduled).toBeGreaterThanOrEqual(78 * SCALE * 1000);
    expect(scheduled).toBeLessThanOrEqual(80 * SCALE * 1000 + 50);
    expect(r.received).toHaveLength(2);
  });

  it('a Retry-After beyond the retry window is capped at its end, and the attempt there is the last', async () => {
    // Window of this policy: 20 + 20 = 40 s (1.2 s scaled); the receiver asks for a day.
    const { r, publish } = await setup(() => ({ status: 503, headers: { 'retry-after': '86400' } }), {
      retryPolicy: { maxAttempts: 3, scheduleSeconds: [20] },
    });
    const event = await publish();
    const delivery = await onlyDelivery(engine.ctx, event.id);
    const d = await waitForStatus(engine.ctx, delivery.id, 'dead');
    const rows = await attemptsOf(engine.ctx, d.id);
    expect(rows).toHaveLength(2);
    const windowEnd = delivery.cycleStartedAt.getTime() + 40 * SCALE * 1000;
    expect(rows[0]!.nextRetryAt!.getTime()).toBe(windowEnd);
    expect(rows[1]!.nextRetryAt).toBeNull();
    expect(r.received).toHaveLength(2);
  });
});

describe('410 Gone', () => {
  it('disables the subscription and holds its pending deliveries; re-enabling releases them', async () => {
    const { ctx } = engine;
    let gone = true;
    let firstId = '';
    // The first event fails with 500 (so it is pending, retry in 100 s × scale); the second answers 410.
    const { r, sub, publish } = await setup(
      (_, id) => {
        if (!gone) return { status: 200 };
        return id === firstId ? { status: 500 } : { status: 410 };
      },
      { retryPolicy: { scheduleSeconds: [100] } },
    );
    const pendingEvent = await publish({ n: 1 });
    firstId = pendingEvent.id;
    const pending = await onlyDelivery(ctx, pendingEvent.id);
    await expect.poll(async () => (await deliveryOf(ctx, pending.id)).attemptCount, { timeout: 10_000 }).toBe(1);
    expect((await deliveryOf(ctx, pending.id)).status).toBe('pending');

    const goneEvent = await publish({ n: 2 });
    const goneDelivery = await waitForStatus(ctx, (await onlyDelivery(ctx, goneEvent.id)).id, 'held');
    expect(goneDelivery.attemptCount).toBe(1);
    expect(goneDelivery.lastResponseStatus).toBe(410);
    const [disabled] = await ctx.db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
    expect(disabled!.active).toBe(false);
    expect(disabled!.disabledReason).toMatch(/410 Gone/);
    expect((await deliveryOf(ctx, pending.id)).status).toBe('held');

    // A new event for the disabled subscription is held, not dropped.
    const heldEvent = await publish({ n: 3 });
    expect(heldEvent.deliveries).toBe(1);
    const heldDelivery = await onlyDelivery(ctx, heldEvent.id);
    expect(heldDelivery.status).toBe('held');

    // The pending delivery's retry comes due and nothing is sent: it is held, not attempted.
    const dueAt = (await attemptsOf(ctx, pending.id))[0]!.nextRetryAt!.getTime();
    await expect.poll(() => Date.now(), { timeout: 20_000 }).toBeGreaterThan(dueAt + 1000);
    expect(r.received).toHaveLength(2);
    expect((await deliveryOf(ctx, pending.id)).attemptCount).toBe(1);

    gone = false;
    const enabled = await updateSubscription(ctx, platformScope, sub.id, { active: true });
    expect(enabled).toMatchObject({ active: true, disabledReason: null });
    const a = await waitForStatus(ctx, pending.id, 'succeeded');
    const b = await waitForStatus(ctx, goneDelivery.id, 'succeeded');
    const c = await waitForStatus(ctx, heldDelivery.id, 'succeeded');
    expect([a.attemptCount, b.attemptCount, c.attemptCount]).toEqual([2, 2, 1]);
    expect(r.received).toHaveLength(5);
    expect(
      r.received
        .slice(2)
        .map((x) => x.headers['webhook-id'])
        .sort(),
    ).toEqual([pendingEvent.id, goneEvent.id, heldEvent.id].sort());
    expectVerified(r.received, sub.secret);
  });
});

describe('held deliveries', () => {
  it('a subscription re-enabled while an attempt finds it disabled does not strand the delivery', async () => {
    const { ctx } = engine;
    const { r, sub, customer } = await setup(() => ({ status: 200 }));
    await ctx.db.update(subscriptions).set({ active: false }).where(eq(subscriptions.id, sub.id));
    // A pending delivery whose job runs after the subscription was disabled (inserted directly, so
    // that this test drives the attempt itself).
    const now = new Date();
    const eventId = newId('event');
    const deliveryId = newId('delivery');
    await ctx.db.insert(events).values({
      id: eventId,
      customerId: customer.id,
      type: 'charge.succeeded',
      body: JSON.stringify({ id: eventId }),
      createdAt: now,
      retentionUntil: new Date(now.getTime() + 86400_000),
    });
    await ctx.db.insert(deliveries).values({
      id: deliveryId,
      eventId,
      subscriptionId: sub.id,
      customerId: customer.id,
      eventType: 'charge.succeeded',
      nextAttemptAt: now,
      cycleStartedAt: now,
      queuedAt: now,
    });

    // A re-enable is in progress (row locked, not yet committed) when the attempt loads the subscription.
    const other = postgres(engine.url, { max: 1, onnotice: () => {} });
    try {
      let attempt: Promise<string> | undefined;
      await other.begin(async (tx) => {
        await tx`select 1 from subscriptions where id = ${sub.id} and customer_id = ${customer.id} for update`;
        await tx`update subscriptions set active = true where id = ${sub.id} and customer_id = ${customer.id}`;
        attempt = performAttempt(
          ctx,
          engine.sender,
          { id: randomUUID(), data: { deliveryId, customerId: customer.id, attempt: 1 } },
          unbatchedIo(ctx),
        );
        // Commit only once the attempt waits for the subscription's lock, i.e. it saw it disabled.
        await expect
          .poll(
            async () =>
              (
                await ctx.db.execute<{ n: number }>(
                  // On Citus the row lock is taken on the worker node holding the shard: its activity
                  // shows in citus_stat_activity (every node), not in the coordinator's own view.
                  ctx.config.distributed
                    ? sql`select count(*)::int as n from citus_stat_activity where wait_event_type = 'Lock' and query ilike '%for share%'`
                    : sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%for share%'`,
                )
              )[0]?.n,
            { timeout: 10_000 },
          )
          .toBe(1);
      });
      await expect(attempt).resolves.toBe('sent');
    } finally {
      await other.end();
    }
    expect(await deliveryOf(ctx, deliveryId)).toMatchObject({ status: 'succeeded', attemptCount: 1 });
    expect(r.received).toHaveLength(1);
  });
});
