import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { events } from '../../../drizzle/schema';
import {
  attemptsOf,
  deliveryOf,
  expectVerified,
  gaps,
  onlyDelivery,
  startEngine,
  waitForStatus,
} from '../../../tests/support/engine';
import { fileScoped } from '../../../tests/support/file-scoped';
import { startReceiver } from '../../../tests/support/receiver';
import { customerScope, platformScope } from '../context';
import { createCustomer } from '../tenants/customers';
import { replayDelivery } from '../replay/replay-delivery';
import { publishEvent } from '../events/publish';
import { DEFAULT_SCHEDULE_SECONDS, JITTER, policyWindowSeconds, resolvePolicy } from './retry-policy';
import { createSubscription } from '../subscriptions/subscription-changes';

/**
 * The whole default schedule (12 attempts over 24 hours) against an endpoint that always fails,
 * compressed by RETRY_TIME_SCALE: 86,400 s × 0.0003 = 25.9 s. Then a replay of the dead letter.
 */
const SCALE = 0.0003;
// The breaker would pause an always-failing endpoint for its (unscaled) cool-down: this file is about the schedule.
const engine = fileScoped(() => startEngine('dead_letter', { retryTimeScale: SCALE, breakerThreshold: 1000 }));
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let failing = true;

beforeAll(async () => {
  receiver = await startReceiver(() => (failing ? { status: 500, body: 'down' } : { status: 200, delayMs: 300 }));
});

afterAll(async () => {
  await receiver?.close();
});

describe('dead letters', () => {
  let deliveryId = '';
  let eventId = '';
  let customerId = '';
  let secret = '';

  it('an always-failing endpoint gets exactly 12 attempts within the (scaled) 24 hours, then the delivery is dead', async () => {
    const { ctx } = engine;
    const customer = await createCustomer(ctx, platformScope, { name: 'Down' });
    const sub = await createSubscription(ctx, platformScope, {
      customerId: customer.id,
      url: `${receiver.url}/hook`,
      eventTypes: ['*'],
    });
    const event = await publishEvent(ctx, platformScope, {
      type: 'invoice.paid',
      data: { n: 1 },
      customerId: customer.id,
    });
    const created = await onlyDelivery(ctx, event.id);
    [deliveryId, eventId, customerId, secret] = [created.id, event.id, customer.id, sub.secret];

    const d = await waitForStatus(ctx, deliveryId, 'dead', 100_000);
    expect(d).toMatchObject({
      attemptCount: 12,
      nextAttemptAt: null,
      lastResponseStatus: 500,
      lastError: 'gave up after 12 attempts (last: HTTP 500)',
    });
    expect(d.completedAt).not.toBeNull();

    const rows = await attemptsOf(ctx, deliveryId);
    expect(rows.map((a) => a.attemptSeq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(rows.every((a) => a.status === 'failed' && a.responseStatus === 500)).toBe(true);
    expect(rows.map((a) => a.trigger)).toEqual(['initial', ...Array<string>(11).fill('retry')]);
    expect(rows[11]!.nextRetryAt).toBeNull();

    // Each retry was scheduled at its jittered delay (or earlier only where the 24 h window's end
    // clamps it: slow attempts on a loaded machine eat into the window), and never run early.
    const windowEnd = created.cycleStartedAt.getTime() + policyWindowSeconds(resolvePolicy(null)) * SCALE * 1000;
    for (let i = 0; i < 11; i++) {
      const a = rows[i]!;
      const scheduled = a.nextRetryAt!.getTime() - a.startedAt.getTime() - a.latencyMs;
      const untilWindowEnd = windowEnd - a.startedAt.getTime() - a.latencyMs;
      expect(scheduled).toBeGreaterThanOrEqual(
        Math.min(DEFAULT_SCHEDULE_SECONDS[i]! * SCALE * 1000 * (1 - JITTER), untilWindowEnd) - 5,
      );
      expect(rows[i + 1]!.startedAt.getTime()).toBeGreaterThanOrEqual(a.nextRetryAt!.getTime());
    }
    // The last attempt was scheduled no later than 24 h (scaled) after the cycle began.
    const windowMs = policyWindowSeconds(resolvePolicy(null)) * SCALE * 1000;
    expect(rows[10]!.nextRetryAt!.getTime()).toBeLessThanOrEqual(created.cycleStartedAt.getTime() + windowMs);

    // The receiver saw 12 requests, one webhook-id, each signed afresh; the later gaps grow.
    await receiver.waitFor(12);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received).toHaveLength(12);
    expect(new Set(receiver.received.map((x) => x.headers['webhook-id']))).toEqual(new Set([event.id]));
    expectVerified(receiver.received, sub.secret);
    const g = gaps(receiver.received);
    // (The schedule itself is checked exactly above, from the recorded attempts; arrival times also
    // carry the dispatcher's scheduling delay, a few hundred ms on a busy machine.) The last gap is
    // left out: the last attempt is clamped to the end of the 24 h window, so after a late-jittered
    // previous one it is legitimately shorter.
    for (let i = 5; i < g.length - 1; i++) expect(g[i]!).toBeGreaterThan(g[i - 1]! - 750);

    const measured = receiver.received[11]!.at - receiver.received[0]!.at;
    console.info(
      `scaled 24 h schedule: 12 attempts in ${(measured / 1000).toFixed(1)} s (nominal ${(windowMs / 1000).toFixed(1)} s at scale ${SCALE})`,
    );
    expect(measured).toBeGreaterThan(windowMs * 0.8);
  });

  it('another customer, or a read-only session, cannot replay it', async () => {
    const other = await createCustomer(engine.ctx, platformScope, { name: 'Other' });
    await expect(replayDelivery(engine.ctx, customerScope(other.id), deliveryId)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(replayDelivery(engine.ctx, customerScope(customerId, true), deliveryId)).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect((await deliveryOf(engine.ctx, deliveryId)).status).toBe('dead');
  });

  it('a replay re-sends with the same webhook-id and a fresh timestamp and signature', async () => {
    const { ctx } = engine;
    failing = false;
    // Let the clock move past the second of the last attempt, so the fresh timestamp must differ.
    const lastTs = Number(receiver.received.at(-1)!.headers['webhook-timestamp']);
    await expect.poll(() => Math.floor(Date.now() / 1000), { timeout: 5000 }).toBeGreaterThan(lastTs);

    const replayed = await replayDelivery(ctx, customerScope(customerId), deliveryId);
    expect(replayed).toMatchObject({ status: 'pending', replayCount: 1 });
    // While it is pending, a second replay is refused.
    await expect(replayDelivery(ctx, platformScope, deliveryId)).rejects.toMatchObject({ code: 'conflict' });

    const d = await waitForStatus(ctx, deliveryId, 'succeeded');
    expect(d.attemptCount).toBe(13);
    const rows = await attemptsOf(ctx, deliveryId);
    expect(rows[12]).toMatchObject({ attemptSeq: 13, trigger: 'replay', status: 'succeeded', responseStatus: 200 });

    expect(receiver.received).toHaveLength(13);
    const replay = receiver.received[12]!;
    expect(replay.headers['webhook-id']).toBe(eventId);
    expect(Number(replay.headers['webhook-timestamp'])).toBeGreaterThan(lastTs);
    const earlier = new Set(receiver.received.slice(0, 12).map((x) => x.headers['webhook-signature']));
    expect(earlier.has(replay.headers['webhook-signature'])).toBe(false);
    expect(replay.body).toBe(receiver.received[0]!.body);
    expectVerified([replay], secret);
  });

  it('a succeeded delivery may be replayed too, until its event leaves retention', async () => {
    const { ctx } = engine;
    await replayDelivery(ctx, platformScope, deliveryId);
    const d = await waitForStatus(ctx, deliveryId, 'succeeded');
    expect(d).toMatchObject({ attemptCount: 14, replayCount: 2 });
    expect((await attemptsOf(ctx, deliveryId)).at(-1)).toMatchObject({ attemptSeq: 14, trigger: 'replay' });

    await ctx.db
      .update(events)
      .set({ retentionUntil: new Date(Date.now() - 1000) })
      .where(eq(events.id, eventId));
    await expect(replayDelivery(ctx, platformScope, deliveryId)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/retention/) as unknown,
    });
    expect((await deliveryOf(ctx, deliveryId)).status).toBe('succeeded');
  });
});
