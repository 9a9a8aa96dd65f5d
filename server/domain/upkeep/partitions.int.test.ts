import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  attemptsOf,
  deliveriesOf,
  onlyDelivery,
  startEngine,
  subscribedReceiver,
  waitForStatus,
  type Engine,
} from '../../../tests/support/engine';
import { fileScoped } from '../../../tests/support/file-scoped';
import { agedCtx, DAY, midnight, publishAged as publishAgedAs, suffixDaysAgo } from '../../../tests/support/aged';
import { platformScope, type Ctx } from '../context';
import { createCustomer } from '../tenants/customers';
import { createSubscription, deleteSubscription } from '../subscriptions/subscription-changes';
import { publishEvent } from '../events/publish';
import { replayDelivery } from '../replay/replay-delivery';
import { getDelivery } from '../delivery/delivery-reads';
import { ensurePartitions, existingRanges, PARTITIONED, PARTITIONS_AHEAD, suffixOf } from './partitions';
import { purgeExpired } from './retention';
import { startWorker } from '../../../worker/worker';
import { createLogger } from '../../log';

/**
 * Time partitions of events, deliveries and attempts (partitions.ts), on the real database: where
 * rows land, that a range goes whole at retention while replay works up to then, and what happens
 * to rows with no range of their own.
 */
const engine = fileScoped(() => startEngine('partitions', { retentionDays: 30 }));
let receiver: Awaited<ReturnType<Engine['receiver']>>;
let customerId = '';

beforeAll(async () => {
  const subscribed = await subscribedReceiver(engine, 'Partitioned');
  receiver = subscribed.r;
  customerId = subscribed.customer.id;
});

async function exists(table: string): Promise<boolean> {
  const [row] = await engine.ctx.db.execute<{ t: string | null }>(sql`select to_regclass(${table})::text as t`);
  return row?.t != null;
}

/** How many of `ids` the one partition `table` holds (`column` is its partition key). */
async function countIn(table: string, column: string, ids: string[]): Promise<number> {
  const [row] = await engine.ctx.db.execute<{ n: number }>(
    sql`select count(*)::int as n from ${sql.identifier(table)} where ${sql.identifier(column)} in ${sql`(${sql.join(
      ids.map((i) => sql`${i}`),
      sql`, `,
    )})`}`,
  );
  return row!.n;
}

/** Publishes as if `days` ago and waits for its one delivery to succeed. */
const publishAged = (days: number, config: Partial<Ctx['config']> = {}) =>
  publishAgedAs(engine.ctx, customerId, days, config);

describe('time partitions', () => {
  it('migrate created the current range and the ranges ahead, for each of the three tables', async () => {
    const ranges = await existingRanges(engine.ctx.db);
    const today = midnight(Date.now());
    for (let i = 0; i <= PARTITIONS_AHEAD; i++) {
      expect(ranges.some((r) => r.from <= today + i * DAY && today + i * DAY < r.to)).toBe(true);
    }
    for (const { table } of PARTITIONED) {
      expect(await exists(`${table}_${suffixOf(today)}`), table).toBe(true);
      expect(await exists(`${table}_default`), table).toBe(true);
    }
    // Running it again creates nothing.
    expect(await ensurePartitions(engine.ctx.db, { now: new Date(), intervalDays: 1 })).toEqual([]);
  });

  it('an event, its delivery and its attempts land in the partitions of the event’s day', async () => {
    const { eventId, deliveryId } = await publishAged(0);
    const suffix = suffixOf(midnight(Date.now()));
    expect(await countIn(`events_${suffix}`, 'id', [eventId])).toBe(1);
    expect(await countIn(`deliveries_${suffix}`, 'id', [deliveryId])).toBe(1);
    expect(await countIn(`attempts_${suffix}`, 'delivery_id', [deliveryId])).toBe(1);
    expect(await countIn('events_default', 'id', [eventId])).toBe(0);
  });

  it('a lookup by delivery id reads one partition, and so do its attempts', async () => {
    if (engine.ctx.config.distributed) return; // Citus plans through its own executor: tests/citus covers routing.
    const { deliveryId } = await publishAged(0);
    const plan = async (q: ReturnType<typeof sql>) =>
      (await engine.ctx.db.execute<{ 'QUERY PLAN': string }>(q)).map((r) => r['QUERY PLAN']).join('\n');
    const suffix = suffixOf(midnight(Date.now()));
    const one = await plan(
      sql`explain select * from deliveries where id = ${deliveryId} and customer_id = ${customerId}`,
    );
    expect(one).toContain(`deliveries_${suffix}`);
    expect(one).not.toMatch(/deliveries_default|Append/);
    const tries = await plan(
      sql`explain select * from attempts where delivery_id = ${deliveryId} and customer_id = ${customerId}`,
    );
    expect(tries).toContain(`attempts_${suffix}`);
    expect(tries).not.toMatch(/attempts_default|Append/);
  });

  it('retention drops a range once all its events have expired, keeps a range with a live event, and replay works across days until then', async () => {
    const { db } = engine.ctx;
    for (const days of [40, 31, 20])
      await ensurePartitions(db, { now: new Date(Date.now() - days * DAY), intervalDays: 1, ahead: 0 });
    const gone = await publishAged(40);
    // Same day, 31 days ago: one event kept for 30.5 days (expired half a day ago: within a
    // partition's length, so not yet deleted row by row), one for 60 (live).
    const expiredNeighbour = await publishAged(31, { retentionDays: 30.5 });
    const liveNeighbour = await publishAged(31, { retentionDays: 60 });
    const recent = await publishAged(20);
    expect(await countIn(`events_${suffixDaysAgo(40)}`, 'id', [gone.eventId])).toBe(1);

    // A replay today of a 20-day-old delivery: its new attempt lives in the delivery's range.
    await replayDelivery(engine.ctx, platformScope, recent.deliveryId);
    await expect
      .poll(async () => (await attemptsOf(engine.ctx, recent.deliveryId)).length, { timeout: 15_000 })
      .toBe(2);
    expect(await countIn(`attempts_${suffixDaysAgo(20)}`, 'delivery_id', [recent.deliveryId])).toBe(2);

    await purgeExpired(engine.ctx);
    for (const { table } of PARTITIONED) {
      expect(await exists(`${table}_${suffixDaysAgo(40)}`), `${table} 40 days ago`).toBe(false);
      expect(await exists(`${table}_${suffixDaysAgo(31)}`), `${table} 31 days ago`).toBe(true);
      expect(await exists(`${table}_${suffixDaysAgo(20)}`), `${table} 20 days ago`).toBe(true);
    }
    expect(await deliveriesOf(engine.ctx, gone.eventId)).toEqual([]);
    await expect(replayDelivery(engine.ctx, platformScope, gone.deliveryId)).rejects.toMatchObject({
      code: 'not_found',
    });
    // Past its retention_until but sharing a range with a live event: still shown, no longer replayable.
    expect((await getDelivery(engine.ctx, platformScope, { id: expiredNeighbour.deliveryId })).id).toBe(
      expiredNeighbour.deliveryId,
    );
    await expect(replayDelivery(engine.ctx, platformScope, expiredNeighbour.deliveryId)).rejects.toMatchObject({
      code: 'conflict',
    });
    await replayDelivery(engine.ctx, platformScope, liveNeighbour.deliveryId);
    await expect
      .poll(async () => (await attemptsOf(engine.ctx, liveNeighbour.deliveryId)).length, { timeout: 15_000 })
      .toBe(2);
  });

  it('rows with no range of their own go to the default partitions, block that range, and are purged row by row', async () => {
    const { db } = engine.ctx;
    const old = await publishAged(50);
    expect(await countIn('events_default', 'id', [old.eventId])).toBe(1);
    expect(await countIn('deliveries_default', 'id', [old.deliveryId])).toBe(1);
    expect(await countIn('attempts_default', 'delivery_id', [old.deliveryId])).toBe(1);
    // Creating that range would strand those rows: it is left out, and nothing fails.
    expect(await ensurePartitions(db, { now: new Date(Date.now() - 50 * DAY), intervalDays: 1, ahead: 0 })).toEqual([]);
    expect(await exists(`events_${suffixDaysAgo(50)}`)).toBe(false);

    expect(await purgeExpired(engine.ctx)).toBeGreaterThanOrEqual(1);
    expect(await countIn('events_default', 'id', [old.eventId])).toBe(0);
    expect(await countIn('deliveries_default', 'id', [old.deliveryId])).toBe(0);
    expect(await countIn('attempts_default', 'delivery_id', [old.deliveryId])).toBe(0);
  });

  it('an idempotency key holds across partitions: a retry the next day returns the first event', async () => {
    await ensurePartitions(engine.ctx.db, { now: new Date(Date.now() - 2 * DAY), intervalDays: 1, ahead: 0 });
    const input = { type: 'order.created', data: { n: 1 }, customerId, idempotencyKey: 'order-1' };
    const first = await publishEvent(agedCtx(engine.ctx, 2), platformScope, input);
    expect(await countIn(`events_${suffixDaysAgo(2)}`, 'id', [first.id])).toBe(1);
    const again = await publishEvent(engine.ctx, platformScope, input);
    expect(again).toMatchObject({ id: first.id, duplicate: true });
    await expect(publishEvent(engine.ctx, platformScope, { ...input, data: { n: 2 } })).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(await deliveriesOf(engine.ctx, first.id)).toHaveLength(1);
  });

  it('deleting a subscription deletes its deliveries and attempts (attempts have no foreign key to it)', async () => {
    const owner = (await createCustomer(engine.ctx, platformScope, { name: 'Deletes a subscription' })).id;
    const sub = await createSubscription(engine.ctx, platformScope, {
      customerId: owner,
      url: `${receiver.url}/doomed`,
      eventTypes: ['doomed.*'],
    });
    const event = await publishEvent(engine.ctx, platformScope, { type: 'doomed.test', data: {}, customerId: owner });
    const delivery = await onlyDelivery(engine.ctx, event.id);
    await waitForStatus(engine.ctx, delivery.id, 'succeeded');
    expect(await attemptsOf(engine.ctx, delivery.id)).toHaveLength(1);
    await deleteSubscription(engine.ctx, platformScope, sub.id);
    expect(await deliveriesOf(engine.ctx, event.id)).toEqual([]);
    expect(await attemptsOf(engine.ctx, delivery.id)).toEqual([]);
  });

  it('many failed attempts of one subscription recorded at once never deadlock (no job is retried)', async () => {
    // Two more workers beside the engine's: three recorders of the same subscription's attempts.
    const others = await Promise.all(
      [1, 2].map((i) => startWorker(engine.ctx, engine.sender, createLogger(`partitions-worker-${i}`))),
    );
    const busy = (await createCustomer(engine.ctx, platformScope, { name: 'Busy' })).id;
    // Failing attempts (a 400 retries without opening the breaker): recording them locks the subscription.
    const failing = await engine.receiver(() => ({ status: 400 }));
    await createSubscription(engine.ctx, platformScope, {
      customerId: busy,
      url: `${failing.url}/busy`,
      eventTypes: ['busy.*'],
      maxInFlight: 50,
      retryPolicy: { scheduleSeconds: [3600] },
    });
    const published = [];
    for (let i = 0; i < 6; i++) {
      published.push(
        ...(await Promise.all(
          Array.from({ length: 50 }, (_, n) =>
            publishEvent(engine.ctx, platformScope, { type: 'busy.test', data: { i, n }, customerId: busy }),
          ),
        )),
      );
    }
    const deliveries = await Promise.all(published.map((e) => onlyDelivery(engine.ctx, e.id)));
    for (const d of deliveries)
      await expect.poll(async () => (await attemptsOf(engine.ctx, d.id)).length, { timeout: 30_000 }).toBe(1);
    await Promise.all(others.map((w) => w.stop(2000)));
    await failing.close();
    const [retried] = await engine.ctx.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pgboss.job where name = 'deliver' and retry_count > 0
          and data->>'deliveryId' in ${sql`(${sql.join(
            deliveries.map((d) => sql`${d.id}`),
            sql`, `,
          )})`}`,
    );
    expect(retried!.n).toBe(0);
  });
});
