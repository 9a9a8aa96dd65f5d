import { describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { events } from '../../../drizzle/schema';
import { startEngine, subscribedReceiver } from '../../../tests/support/engine';
import { fileScoped } from '../../../tests/support/file-scoped';
import { DAY, publishAged as publishAgedAs, suffixDaysAgo } from '../../../tests/support/aged';
import { platformScope } from '../context';
import { publishEvent } from '../events/publish';
import { replayDelivery } from '../replay/replay-delivery';
import { updateCustomer } from '../lifecycle/retention-policy';
import { expungeEvent } from '../lifecycle/expunge';
import { getCustomerExpunge, startCustomerExpunge } from '../lifecycle/customer-expunge';
import { getDelivery } from '../delivery/delivery-reads';
import { ensurePartitions } from './partitions';
import { purgeExpired } from './retention';

/**
 * Per-customer retention across time partitions (PARTITION_DAYS = 1): a range whose events have all
 * expired goes whole; a range held by a longer-retained customer's events keeps them, while a
 * shorter-retained customer's events in it go row by row once more than a partition's length
 * overdue. A shortening applies to stored events; a lengthening only to new ones.
 */
const engine = fileScoped(() => startEngine('customer-retention', { retentionDays: 30, partitionDays: 1 }));

async function customer(name: string, retentionDays?: number) {
  const { customer: c } = await subscribedReceiver(engine, name);
  if (retentionDays) await updateCustomer(engine.ctx, platformScope, c.id, { retentionDays });
  return c.id;
}

const publishAged = (customerId: string, days: number) => publishAgedAs(engine.ctx, customerId, days);

async function stored(e: { eventId: string; customerId: string }) {
  const [row] = await engine.ctx.db
    .select({ retentionUntil: events.retentionUntil, createdAt: events.createdAt })
    .from(events)
    .where(and(eq(events.id, e.eventId), eq(events.customerId, e.customerId)));
  return row ?? null;
}

async function partitionExists(table: string): Promise<boolean> {
  const [row] = await engine.ctx.db.execute<{ t: string | null }>(sql`select to_regclass(${table})::text as t`);
  return row?.t != null;
}

const daysKept = (r: { retentionUntil: Date; createdAt: Date } | null) =>
  r ? Math.round((r.retentionUntil.getTime() - r.createdAt.getTime()) / DAY) : null;

describe('retention per customer', () => {
  it("dates each event by its customer's retention, and purges across partitions: whole ranges dropped, overdue rows deleted, a longer customer's events kept", async () => {
    const { db } = engine.ctx;
    // Every moment an event is published at has its day's partition (2.5 days ago is on the same day as
    // 3 days ago only before noon UTC): none lands in the default partition, whose expired rows go whatever.
    for (const days of [10, 5, 3, 2.5])
      await ensurePartitions(db, { now: new Date(Date.now() - days * DAY), intervalDays: 1, ahead: 0 });
    const short = await customer('Short', 2);
    const long = await customer('Long');

    // 10 days ago: only the short customer's event, expired 8 days ago: its range goes whole.
    const alone = await publishAged(short, 10);
    // 5 days ago: the short customer's (expired 3 days ago, overdue) beside the long customer's (kept 25 more days).
    const overdue = await publishAged(short, 5);
    const neighbour = await publishAged(long, 5);
    // 2.5 days ago: the short customer's expired half a day ago, within a partition's length: it stays, not replayable.
    const justExpired = await publishAged(short, 2.5);
    const holder = await publishAged(long, 2.5);
    expect(daysKept(await stored(overdue))).toBe(2);
    expect(daysKept(await stored(neighbour))).toBe(30);

    await purgeExpired(engine.ctx);

    for (const table of ['events', 'deliveries', 'attempts']) {
      expect(await partitionExists(`${table}_${suffixDaysAgo(10)}`), table).toBe(false);
      expect(await partitionExists(`${table}_${suffixDaysAgo(5)}`), table).toBe(true);
    }
    expect(await stored(alone)).toBeNull();
    expect(await stored(overdue)).toBeNull();
    await expect(replayDelivery(engine.ctx, platformScope, overdue.deliveryId)).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await stored(neighbour)).not.toBeNull();
    expect(await stored(holder)).not.toBeNull();
    expect(await stored(justExpired)).not.toBeNull();
    await expect(replayDelivery(engine.ctx, platformScope, justExpired.deliveryId)).rejects.toMatchObject({
      code: 'conflict',
    });
    await replayDelivery(engine.ctx, platformScope, neighbour.deliveryId);
  });

  it('a shortening applies to stored events (and purges them); a lengthening only to events published after it', async () => {
    const { db } = engine.ctx;
    for (const days of [6, 1])
      await ensurePartitions(db, { now: new Date(Date.now() - days * DAY), intervalDays: 1, ahead: 0 });
    const id = await customer('Changes its mind');
    const old = await publishAged(id, 6);
    const recent = await publishAged(id, 1);
    expect(daysKept(await stored(old))).toBe(30);

    const after = await updateCustomer(engine.ctx, platformScope, id, { retentionDays: 3 });
    expect(after.retentionDays).toBe(3);
    expect(daysKept(await stored(old))).toBe(3);
    expect(daysKept(await stored(recent))).toBe(3);
    await purgeExpired(engine.ctx);
    expect(await stored(old)).toBeNull();
    expect(await stored(recent)).not.toBeNull();

    await updateCustomer(engine.ctx, platformScope, id, { retentionDays: 60 });
    expect(daysKept(await stored(recent))).toBe(3);
    const fresh = await publishAged(id, 0);
    expect(daysKept(await stored(fresh))).toBe(60);

    // null: back to the platform default for new events.
    expect((await updateCustomer(engine.ctx, platformScope, id, { retentionDays: null })).retentionDays).toBeNull();
    expect(daysKept(await stored(await publishAged(id, 0)))).toBe(30);
  });

  it('an expunged event keeps its retention and history (on Citus too: every statement stays on the customer shard)', async () => {
    const id = await customer('Expunged then purged', 3);
    const e = await publishAged(id, 1);
    const done = await expungeEvent(engine.ctx, platformScope, e.eventId);
    expect(done.expungedAt).toEqual(expect.any(String));
    const d = await getDelivery(engine.ctx, platformScope, { id: e.deliveryId });
    expect(d).toMatchObject({
      status: 'succeeded',
      payloadExpungedAt: done.expungedAt,
      attempts: [{ request: { headers: {} } }],
    });
    expect(daysKept(await stored(e))).toBe(3);
    await publishAged(id, 0);
    await startCustomerExpunge(engine.ctx, platformScope, id);
    await expect
      .poll(async () => (await getCustomerExpunge(engine.ctx, platformScope, id)).status, { timeout: 20_000 })
      .toBe('completed');
    expect((await getCustomerExpunge(engine.ctx, platformScope, id)).expunged).toBe(1);
  });

  it('a broadcast copy is kept no longer than its customer retains', async () => {
    const id = await customer('Short broadcast', 4);
    const b = await publishEvent(engine.ctx, platformScope, { type: 'notice.sent', data: {}, broadcast: true });
    await expect
      .poll(async () => daysKept(await stored({ eventId: b.id, customerId: id })), { timeout: 15_000 })
      .toBe(4);
  });
});
