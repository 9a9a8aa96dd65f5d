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
import type { Reply } from '../../../tests/support/receiver';
import { platformScope } from '../context';
import { getEvent } from '../events/event-reads';
import { replayDelivery } from '../replay/replay-delivery';
import { createSubscription, probeNow, updateSubscription } from '../subscriptions/subscription-changes';
import { getSubscription } from '../subscriptions/subscription-reads';

/**
 * What a careless user meets: paused and 410-disabled subscriptions hold (never drop) what they
 * match; resume releases in publish order or discards on request; the circuit breaker never keeps a
 * delivery past its retry window, and a replay or "retry now" does not wait for its cool-down.
 *
 * RETRY_TIME_SCALE 0.01: the default 24 h window is 864 s; a breaker cool-down of 1 h is 36 s (longer
 * than any wait here, so anything that goes out sooner went out because we asked it to).
 */
const SCALE = 0.01;
const engine = fileScoped(() =>
  startEngine('delivery_state', {
    retryTimeScale: SCALE,
    breakerThreshold: 3,
    breakerCooldownMs: 3_600_000,
  }),
);

const setup = (
  reply: (index: number) => Reply = () => ({ status: 200 }),
  sub: {
    retryPolicy?: { maxAttempts?: number; scheduleSeconds?: number[] };
    eventTypes?: string[];
    maxInFlight?: number;
  } = {},
) => subscribedReceiver(engine, 'State', (_req, i) => reply(i), sub);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('paused subscriptions hold, never drop', () => {
  it('events published while paused are held, then delivered in publish order on resume', async () => {
    // One request in flight at a time, so arrival order is admission order (with more in flight,
    // admission is still in publish order but concurrent requests may overtake each other).
    const { r, sub, publish } = await setup(() => ({ status: 200 }), { maxInFlight: 1 });
    await updateSubscription(engine.ctx, platformScope, sub.id, { active: false });
    const published = [];
    for (let i = 0; i < 5; i++) published.push(await publish({ n: i }));
    for (const e of published) expect(e.deliveries).toBe(1);
    for (const e of published) expect((await onlyDelivery(engine.ctx, e.id)).status).toBe('held');
    expect((await getSubscription(engine.ctx, platformScope, sub.id)).heldDeliveries).toBe(5);
    await sleep(500);
    expect(r.received).toHaveLength(0);

    const resumed = await updateSubscription(engine.ctx, platformScope, sub.id, { active: true });
    expect(resumed.heldDeliveries).toBe(0);
    await r.waitFor(5);
    for (const e of published) await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, e.id)).id, 'succeeded');
    expect(r.received.map((x) => (JSON.parse(x.body) as { data: { n: number } }).data.n)).toEqual([0, 1, 2, 3, 4]);
  });

  it('a failing attempt in flight when the subscription is paused leaves its delivery held, not pending', async () => {
    // The first attempt hangs at the endpoint long enough to pause the subscription meanwhile.
    const { r, sub, publish } = await setup((i) => (i === 0 ? { status: 500, delayMs: 1500 } : { status: 200 }));
    const e = await publish();
    const d = await onlyDelivery(engine.ctx, e.id);
    await r.waitFor(1);
    await updateSubscription(engine.ctx, platformScope, sub.id, { active: false });
    await expect.poll(async () => (await deliveryOf(engine.ctx, d.id)).attemptCount, { timeout: 10_000 }).toBe(1);
    // Recorded after the pause: its retry waits with the other held deliveries, counted and discardable.
    expect(await deliveryOf(engine.ctx, d.id)).toMatchObject({ status: 'held' });
    expect((await getSubscription(engine.ctx, platformScope, sub.id)).heldDeliveries).toBe(1);
    await updateSubscription(engine.ctx, platformScope, sub.id, { active: true, heldDeliveries: 'discard' });
    expect(await deliveryOf(engine.ctx, d.id)).toMatchObject({
      status: 'dead',
      lastError: 'discarded when the subscription was resumed',
    });
    await sleep(300);
    expect(r.received).toHaveLength(1);
  });

  it('pausing holds deliveries already waiting; resume with discard turns them into dead letters, replayable', async () => {
    // The retry is due long after the pause below (600 s scaled: 6 s), so no second attempt races it.
    const { r, sub, publish } = await setup((i) => (i === 0 ? { status: 500 } : { status: 200 }), {
      retryPolicy: { scheduleSeconds: [600] },
    });
    const e = await publish();
    const d = await onlyDelivery(engine.ctx, e.id);
    await r.waitFor(1);
    await expect.poll(async () => (await deliveryOf(engine.ctx, d.id)).attemptCount).toBe(1);
    await updateSubscription(engine.ctx, platformScope, sub.id, { active: false });
    await waitForStatus(engine.ctx, d.id, 'held');

    await expect(
      updateSubscription(engine.ctx, platformScope, sub.id, { description: 'x', heldDeliveries: 'discard' }),
    ).rejects.toMatchObject({
      code: 'bad_request',
      field: 'heldDeliveries',
    });
    await updateSubscription(engine.ctx, platformScope, sub.id, { active: true, heldDeliveries: 'discard' });
    const dead = await deliveryOf(engine.ctx, d.id);
    expect(dead).toMatchObject({ status: 'dead', lastError: 'discarded when the subscription was resumed' });
    await sleep(300);
    expect(r.received).toHaveLength(1);

    await replayDelivery(engine.ctx, platformScope, d.id);
    await waitForStatus(engine.ctx, d.id, 'succeeded');
  });

  it('a 410 disables the subscription; later events are held and delivered once it is re-enabled', async () => {
    let gone = true;
    const { r, sub, publish } = await setup(() => (gone ? { status: 410 } : { status: 200 }));
    const first = await publish({ n: 0 });
    await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, first.id)).id, 'held');
    expect((await getSubscription(engine.ctx, platformScope, sub.id)).active).toBe(false);
    const second = await publish({ n: 1 });
    expect(second.deliveries).toBe(1);
    expect((await onlyDelivery(engine.ctx, second.id)).status).toBe('held');

    gone = false;
    await updateSubscription(engine.ctx, platformScope, sub.id, { active: true });
    await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, second.id)).id, 'succeeded');
    await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, first.id)).id, 'succeeded');
    expect(r.received.length).toBe(3);
  });

  it('the routing trace keeps the decision made at publish time', async () => {
    const { sub, customer, publish } = await setup(() => ({ status: 200 }), { eventTypes: ['charge.*'] });
    const other = await createSubscription(engine.ctx, platformScope, {
      customerId: customer.id,
      url: 'https://example.com/other',
      eventTypes: ['invoice.*'],
    });
    await updateSubscription(engine.ctx, platformScope, sub.id, { active: false });
    const e = await publish({}, 'charge.failed');
    // Since then: patterns changed, the subscription resumed, a new subscription was created.
    await updateSubscription(engine.ctx, platformScope, other.id, { eventTypes: ['*'] });
    await updateSubscription(engine.ctx, platformScope, sub.id, { active: true });
    const later = await createSubscription(engine.ctx, platformScope, {
      customerId: customer.id,
      url: 'https://example.com/later',
      eventTypes: ['*'],
    });

    const trace = (await getEvent(engine.ctx, platformScope, e.id)).routing;
    expect(trace.map((t) => t.subscriptionId).sort()).toEqual([sub.id, other.id].sort());
    expect(trace.find((t) => t.subscriptionId === later.id)).toBeUndefined();
    expect(trace.find((t) => t.subscriptionId === sub.id)).toMatchObject({ decision: 'held', matched: true });
    expect(trace.find((t) => t.subscriptionId === sub.id)!.reason).toContain('charge.*');
    expect(trace.find((t) => t.subscriptionId === other.id)).toMatchObject({ decision: 'not_matched', matched: false });
  });
});

describe('the circuit breaker never shortens or stretches a delivery’s life', () => {
  it('deliveries waiting behind an open breaker become dead letters when their window ends, without an attempt', async () => {
    // maxAttempts 1: the window is zero; everything behind the open breaker is past it.
    const { r, sub, publish } = await setup(() => ({ status: 500 }), { retryPolicy: { maxAttempts: 1 } });
    const events = [];
    for (let i = 0; i < 40; i++) events.push(await publish({ i }));
    const ids = (await Promise.all(events.map((e) => onlyDelivery(engine.ctx, e.id)))).map((d) => d.id);
    await expect
      .poll(async () => (await getSubscription(engine.ctx, platformScope, sub.id)).breaker.state, { timeout: 20_000 })
      .toBe('open');
    for (const id of ids) await waitForStatus(engine.ctx, id, 'dead', 30_000);
    const rows = await Promise.all(ids.map((id) => deliveryOf(engine.ctx, id)));
    const unattempted = rows.filter((d) => d.attemptCount === 0);
    expect(unattempted.length).toBeGreaterThan(0);
    for (const d of unattempted)
      expect(d.lastError).toMatch(/retry window ended while the circuit breaker held it back/);
    expect(r.received.length).toBe(rows.filter((d) => d.attemptCount > 0).length);
  });

  it('a delivery past its window does not succeed later when the endpoint comes back', async () => {
    let healthy = false;
    // Two attempts 1 s apart (scaled: 10 ms): the window ends long before the breaker's 36 s cool-down.
    const { r, sub, publish } = await setup(() => (healthy ? { status: 200 } : { status: 503 }), {
      retryPolicy: { maxAttempts: 2, scheduleSeconds: [1] },
    });
    const events = [];
    for (let i = 0; i < 6; i++) events.push(await publish({ i }));
    await expect
      .poll(async () => (await getSubscription(engine.ctx, platformScope, sub.id)).breaker.state, { timeout: 20_000 })
      .toBe('open');
    for (const e of events) await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, e.id)).id, 'dead', 30_000);
    healthy = true;
    const before = r.received.length;
    await sleep(1000);
    expect(r.received.length).toBe(before);
    for (const e of events) {
      const d = await onlyDelivery(engine.ctx, e.id);
      expect(d.status).toBe('dead');
      expect(d.attemptCount).toBeLessThanOrEqual(2);
    }
  });

  it('a replay goes out at once as the probe of an open breaker, and its success closes it', async () => {
    let healthy = false;
    const { r, sub, publish } = await setup(() => (healthy ? { status: 200 } : { status: 500 }), {
      retryPolicy: { maxAttempts: 1 },
    });
    const events = [];
    for (let i = 0; i < 3; i++) events.push(await publish({ i }));
    await expect
      .poll(async () => (await getSubscription(engine.ctx, platformScope, sub.id)).breaker.state, { timeout: 20_000 })
      .toBe('open');
    const d = await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, events[0]!.id)).id, 'dead');
    healthy = true;
    const before = r.received.length;
    await replayDelivery(engine.ctx, platformScope, d.id);
    // The cool-down is 36 s; the replay must not wait for it.
    await waitForStatus(engine.ctx, d.id, 'succeeded', 10_000);
    expect(r.received.length).toBe(before + 1);
    await expect
      .poll(async () => (await getSubscription(engine.ctx, platformScope, sub.id)).breaker.state)
      .toBe('closed');
    const attempts = await attemptsOf(engine.ctx, d.id);
    expect(attempts.at(-1)).toMatchObject({ trigger: 'replay', status: 'succeeded' });
  });

  it('"retry now" sends the probe without waiting for the cool-down; editing the URL closes the breaker', async () => {
    let healthy = false;
    const { r, sub, publish } = await setup(() => (healthy ? { status: 200 } : { status: 500 }));
    const events = [];
    for (let i = 0; i < 5; i++) events.push(await publish({ i }));
    await expect
      .poll(async () => (await getSubscription(engine.ctx, platformScope, sub.id)).breaker.state, { timeout: 20_000 })
      .toBe('open');
    const opened = await getSubscription(engine.ctx, platformScope, sub.id);
    // The cool-down scales with RETRY_TIME_SCALE: 1 h × 0.01 = 36 s.
    const cooldown = new Date(opened.breaker.probeAt!).getTime() - new Date(opened.breaker.openedAt!).getTime();
    expect(cooldown).toBeGreaterThan(30_000);
    expect(cooldown).toBeLessThan(40_000);

    healthy = true;
    const before = r.received.length;
    await probeNow(engine.ctx, platformScope, sub.id);
    await expect
      .poll(async () => (await getSubscription(engine.ctx, platformScope, sub.id)).breaker.state, { timeout: 10_000 })
      .toBe('closed');
    for (const e of events)
      await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, e.id)).id, 'succeeded', 10_000);
    expect(r.received.length).toBeGreaterThan(before);
    await expect(probeNow(engine.ctx, platformScope, sub.id)).rejects.toMatchObject({ code: 'conflict' });

    // Open it again, then move the endpoint: the breaker closes with the edit.
    healthy = false;
    for (let i = 0; i < 5; i++) await publish({ again: i });
    await expect
      .poll(async () => (await getSubscription(engine.ctx, platformScope, sub.id)).breaker.state, { timeout: 20_000 })
      .toBe('open');
    healthy = true;
    const moved = await updateSubscription(engine.ctx, platformScope, sub.id, { url: `${r.url}/moved` });
    expect(moved.breaker.state).toBe('closed');
    const after = await publish({ after: true });
    await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, after.id)).id, 'succeeded', 10_000);
    expect(r.received.at(-1)!.path).toBe('/moved');
  });
});
