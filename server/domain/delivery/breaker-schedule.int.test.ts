import { describe, expect, it } from 'vitest';
import {
  attemptsOf,
  deliveryOf,
  onlyDelivery,
  startEngine,
  subscribedReceiver,
  waitForStatus,
} from '../../../tests/support/engine';
import { fileScoped } from '../../../tests/support/file-scoped';
import { platformScope } from '../context';
import { getSubscription, listSubscriptions } from '../subscriptions/subscription-reads';
import { getEvent } from '../events/event-reads';
import { getDelivery, listDeliveries } from './delivery-reads';

/**
 * A subscription's retry schedule keeps its meaning behind an open circuit breaker: a delivery that
 * had started before the breaker opened (attempted, or due) gets every attempt its schedule allows,
 * each going out as the breaker's probe, one at a time; only deliveries that first come due while it
 * is open wait for the cool-down, and one whose window ends there is dead "with no attempt made".
 *
 * The breaker as configured by default (5 failures, 30 s cool-down), at RETRY_TIME_SCALE 0.5: the
 * schedule [2, 5, 10] is 1, 2.5 and 5 s (a window of 8.5 s), the cool-down 15 s.
 */
const SCALE = 0.5;
const engine = fileScoped(() =>
  startEngine('breaker_schedule', {
    retryTimeScale: SCALE,
    breakerThreshold: 5,
    breakerCooldownMs: 30_000,
  }),
);

async function failingSubscription(
  scheduleSeconds = [2, 5, 10],
  reply: () => { status: number } = () => ({ status: 500 }),
) {
  const { r, sub, publish } = await subscribedReceiver(engine, 'Breaker schedule', reply, {
    retryPolicy: { scheduleSeconds },
  });
  return { r, sub, publish: (i: number) => publish({ i }, 'charge.failed') };
}

describe('the circuit breaker keeps a short retry schedule', () => {
  it('six events published together against a 500: each gets its four attempts, and its dead letter says so', async () => {
    const { r, sub, publish } = await failingSubscription();
    const events = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => publish(i)));
    const ids = await Promise.all(events.map(async (e) => (await onlyDelivery(engine.ctx, e.id)).id));
    await expect
      .poll(async () => (await getSubscription(engine.ctx, platformScope, sub.id)).breaker.state, { timeout: 10_000 })
      .not.toBe('closed');
    for (const id of ids) await waitForStatus(engine.ctx, id, 'dead', 30_000);
    for (const id of ids) {
      const d = await deliveryOf(engine.ctx, id);
      expect(d.attemptCount).toBe(4);
      expect(d.lastError).toBe('gave up after 4 attempts (last: HTTP 500)');
      const rows = await attemptsOf(engine.ctx, id);
      expect(rows.map((a) => a.responseStatus)).toEqual([500, 500, 500, 500]);
    }
    expect(r.received).toHaveLength(24);
  });

  it('a delivery that first comes due while the breaker is open waits for the probe; when its window ends first, it is dead with no attempt made', async () => {
    const { r, sub, publish } = await failingSubscription();
    const opening = await Promise.all([0, 1, 2, 3, 4].map((i) => publish(i)));
    await expect
      .poll(async () => (await getSubscription(engine.ctx, platformScope, sub.id)).breaker.state, { timeout: 10_000 })
      .not.toBe('closed');
    const late = await publish(99);
    const d = await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, late.id)).id, 'dead', 30_000);
    expect(d.attemptCount).toBe(0);
    expect(d.lastError).toBe('retry window ended while the circuit breaker held it back (no attempt made)');
    expect(r.received.filter((x) => (JSON.parse(x.body) as { data: { i: number } }).data.i === 99)).toHaveLength(0);
    // The ones that opened it kept their schedule meanwhile.
    for (const e of opening)
      expect(
        (await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, e.id)).id, 'dead', 30_000)).attemptCount,
      ).toBe(4);
  });
});

describe('what a delivery waits for reads the same in every API read', () => {
  it('behind an open breaker: the subscription, a late delivery and an owed retry each say what they wait for, and until when', async () => {
    // Retries 10 minutes (scaled: 5) away: the ones that opened the breaker wait on their schedule.
    const { sub, publish } = await failingSubscription([600]);
    const opening = await Promise.all([0, 1, 2, 3, 4].map((i) => publish(i)));
    await expect
      .poll(async () => (await getSubscription(engine.ctx, platformScope, sub.id)).breaker.state, { timeout: 10_000 })
      .toBe('open');
    for (const e of opening)
      await expect.poll(async () => (await onlyDelivery(engine.ctx, e.id)).attemptCount, { timeout: 10_000 }).toBe(1);
    const late = await publish(99);
    const lateId = (await onlyDelivery(engine.ctx, late.id)).id;

    const s = await getSubscription(engine.ctx, platformScope, sub.id);
    const breaker = { kind: 'breaker', at: s.breaker.probeAt, deadAt: null };
    expect(s.waiting).toEqual(breaker);
    expect(
      (await listSubscriptions(engine.ctx, platformScope, { customerId: s.customerId, limit: 10 })).data[0]!.waiting,
    ).toEqual(breaker);
    expect((await getDelivery(engine.ctx, platformScope, { id: lateId })).waiting).toEqual(breaker);
    expect((await getEvent(engine.ctx, platformScope, late.id)).deliveries[0]!.waiting).toEqual(breaker);
    const listed = await listDeliveries(engine.ctx, platformScope, { subscriptionId: sub.id, limit: 10 });
    expect(listed.data.find((d) => d.id === lateId)!.waiting).toEqual(breaker);

    const owed = await getDelivery(engine.ctx, platformScope, {
      id: (await onlyDelivery(engine.ctx, opening[0]!.id)).id,
    });
    expect(owed.waiting).toEqual({ kind: 'scheduled', at: owed.nextAttemptAt });
  });

  it('after a 410 the subscription and its held deliveries say disabled, with the reason', async () => {
    const { sub, publish } = await failingSubscription([600], () => ({ status: 410 }));
    const e = await publish(1);
    const id = (await onlyDelivery(engine.ctx, e.id)).id;
    await waitForStatus(engine.ctx, id, 'held', 10_000);
    const s = await getSubscription(engine.ctx, platformScope, sub.id);
    expect(s.waiting).toEqual({ kind: 'disabled', reason: s.disabledReason });
    expect(s.disabledReason).toMatch(/410 Gone/);
    expect((await getDelivery(engine.ctx, platformScope, { id })).waiting).toEqual(s.waiting);
  });
});
