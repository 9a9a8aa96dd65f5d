import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray, lt } from 'drizzle-orm';
import { attempts, deliveries, events, subscriptionDepthSamples } from '../../../drizzle/schema';
import {
  deliveriesOf,
  deliveryOf,
  onlyDelivery,
  startEngine,
  subscribedReceiver,
  waitForStatus,
} from '../../../tests/support/engine';
import { fileScoped } from '../../../tests/support/file-scoped';
import { agedCtx, DAY, publishAged as publishAgedAs } from '../../../tests/support/aged';
import { enqueue } from '../../queue/boss';
import { platformScope } from '../context';
import { replayDelivery } from '../replay/replay-delivery';
import { publishEvent } from '../events/publish';
import { purgeExpired } from './retention';

const engine = fileScoped(() => startEngine('retention', { retentionDays: 30 }));
let customerId = '';
let subscriptionId = '';

beforeAll(async () => {
  const { customer, sub } = await subscribedReceiver(engine, 'Old');
  customerId = customer.id;
  subscriptionId = sub.id;
});

/** Publishes as if `daysAgo` days ago (the event's retention_until follows), and waits for its delivery. */
const publishAged = (daysAgo: number) => publishAgedAs(engine.ctx, customerId, daysAgo);

async function counts(eventIds: string[]) {
  const ev = await engine.ctx.db.select({ id: events.id }).from(events).where(inArray(events.id, eventIds));
  const ds = await engine.ctx.db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(inArray(deliveries.eventId, eventIds));
  const at = ds.length
    ? await engine.ctx.db
        .select({ id: attempts.id })
        .from(attempts)
        .where(
          inArray(
            attempts.deliveryId,
            ds.map((d) => d.id),
          ),
        )
    : [];
  return { events: ev.length, deliveries: ds.length, attempts: at.length };
}

describe('retention', () => {
  it('purgeExpired removes expired events with their deliveries and attempts, and keeps the rest', async () => {
    const expired = [await publishAged(31), await publishAged(45), await publishAged(30.01)];
    const kept = [await publishAged(29), await publishAged(1), await publishAged(0)];
    expect(await counts(expired.map((e) => e.eventId))).toEqual({ events: 3, deliveries: 3, attempts: 3 });

    // Batches of 2: the third expired event is purged by a second round.
    const purged = await purgeExpired(engine.ctx, 2);
    expect(purged).toBe(3);
    expect(await counts(expired.map((e) => e.eventId))).toEqual({ events: 0, deliveries: 0, attempts: 0 });
    expect(await counts(kept.map((e) => e.eventId))).toEqual({ events: 3, deliveries: 3, attempts: 3 });

    // Nothing left to purge; a purged delivery can no longer be replayed, a kept one can.
    expect(await purgeExpired(engine.ctx)).toBe(0);
    await expect(replayDelivery(engine.ctx, platformScope, expired[0]!.deliveryId)).rejects.toMatchObject({
      code: 'not_found',
    });
    await replayDelivery(engine.ctx, platformScope, kept[0]!.deliveryId);
    await waitForStatus(engine.ctx, kept[0]!.deliveryId, 'succeeded');
  });

  it('a pending delivery of a purged event is dropped quietly by its queued job', async () => {
    const { ctx } = engine;
    // Published 40 days ago; its first attempt fails, and the event is purged while the retry is queued.
    const { r, customer: owner } = await subscribedReceiver(engine, 'Purged while pending', () => ({ status: 500 }), {
      retryPolicy: { scheduleSeconds: [1] },
    });
    const event = await publishEvent(agedCtx(ctx, 40), platformScope, {
      type: 'order.created',
      data: {},
      customerId: owner.id,
    });
    const delivery = await onlyDelivery(ctx, event.id);
    await expect.poll(async () => (await deliveryOf(ctx, delivery.id)).attemptCount, { timeout: 10_000 }).toBe(1);
    expect(await purgeExpired(ctx)).toBe(1);
    expect(await deliveriesOf(ctx, event.id)).toHaveLength(0);
    // The queued retry comes due and finds nothing: no request, no error.
    await new Promise((res) => setTimeout(res, 2000));
    expect(r.received).toHaveLength(1);
    expect(await ctx.db.select().from(deliveries).where(eq(deliveries.id, delivery.id))).toHaveLength(0);
  });

  it('the scheduled retention job purges through the worker, and drops old depth samples', async () => {
    const { ctx } = engine;
    const old = await publishAged(35);
    const fresh = await publishAged(2);
    const minute = (daysAgo: number) => new Date(Math.floor((Date.now() - daysAgo * DAY) / 60_000) * 60_000);
    await ctx.db.insert(subscriptionDepthSamples).values([
      { subscriptionId, customerId, minute: minute(31), pending: 1, held: 0, breakerState: 'closed' },
      { subscriptionId, customerId, minute: minute(1), pending: 2, held: 0, breakerState: 'closed' },
    ]);
    await enqueue(ctx.boss, 'retention', {});
    await expect.poll(async () => (await counts([old.eventId])).events, { timeout: 20_000 }).toBe(0);
    expect(await counts([fresh.eventId])).toEqual({ events: 1, deliveries: 1, attempts: 1 });
    // The worker's per-minute depth sampler may add a sample for the current minute meanwhile:
    // look only at the two seeded minutes' range.
    // The job purges events before depth samples: the event being gone does not yet mean the job is done.
    const samples = () =>
      ctx.db
        .select()
        .from(subscriptionDepthSamples)
        .where(
          and(
            eq(subscriptionDepthSamples.subscriptionId, subscriptionId),
            lt(subscriptionDepthSamples.minute, new Date(Date.now() - 3600_000)),
          ),
        );
    await expect.poll(async () => (await samples()).map((s) => s.pending), { timeout: 20_000 }).toEqual([2]);
  });
});
