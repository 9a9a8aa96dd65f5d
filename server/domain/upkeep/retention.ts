import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import { attempts, broadcasts, deliveries, eventKeys, events, subscriptionDepthSamples } from '../../../drizzle/schema';
import type { Ctx } from '../context';
import { purgeAudit } from '../audit/log';
import { dropExpiredPartitions, ensurePartitions } from './partitions';

/**
 * Retention, run hourly by the worker (and on demand in tests):
 * 1. creates the partitions ahead (partitions.ts), so that new events land in a range of their own;
 * 2. drops every range whose events are all past retention_until, with their deliveries and
 *    attempts (their partitions go together);
 * 3. purges, row by row in batches, expired events left in the default partitions (stored before
 *    partitioning, or written while a range was missing), with their deliveries and attempts;
 * 4. purges, row by row in batches (at most OVERDUE_BATCHES a run), events more than PARTITION_DAYS
 *    past their retention_until in ranges that are kept for longer-lived events (customers retain
 *    for different numbers of days: lifecycle/retention-policy.ts);
 * 5. purges expired idempotency keys and broadcasts, depth samples and audit entries older than the
 *    retention window.
 * An expired event in a range that still holds live ones stays until its range goes or, when the
 * range is held longer by another customer's events, until step 4: at most one PARTITION_DAYS (and
 * an hour) past its retention_until either way. With one retention for everyone, a range's events
 * all go with its partitions within that time, so step 4 deletes nothing. Replay refuses an event
 * from retention_until on. Returns the events purged.
 */
export async function purgeExpired(ctx: Ctx, batchSize = 1000): Promise<number> {
  const now = ctx.now();
  const opts = { now, log: ctx.log, retentionDays: ctx.config.retentionDays, intervalDays: ctx.config.partitionDays };
  await ensurePartitions(ctx.db, opts);
  const purged =
    (await dropExpiredPartitions(ctx.db, opts)).events +
    (await purgeDefaultPartitions(ctx, batchSize)) +
    (await purgeOverdue(ctx, batchSize));
  // Tenant rows are deleted one statement per customer that has any (its shard on Citus).
  const expiredKeys = lt(eventKeys.retentionUntil, now);
  for (const { customerId } of await ctx.db
    .selectDistinct({ customerId: eventKeys.customerId })
    .from(eventKeys)
    .where(expiredKeys))
    await ctx.db.delete(eventKeys).where(and(eq(eventKeys.customerId, customerId), expiredKeys));
  // A broadcast's copies went with the events above (they expire with it); then the broadcast itself.
  await ctx.db.delete(broadcasts).where(lt(broadcasts.retentionUntil, now));
  const oldSamples = lt(
    subscriptionDepthSamples.minute,
    new Date(now.getTime() - ctx.config.retentionDays * 86400_000),
  );
  for (const { customerId } of await ctx.db
    .selectDistinct({ customerId: subscriptionDepthSamples.customerId })
    .from(subscriptionDepthSamples)
    .where(oldSamples))
    await ctx.db
      .delete(subscriptionDepthSamples)
      .where(and(eq(subscriptionDepthSamples.customerId, customerId), oldSamples));
  await purgeAudit(ctx);
  return purged;
}

/**
 * Deletes, in batches of one transaction each, the expired events left in `events_default` with
 * their deliveries and attempts (a delivery and its attempts are in the default partitions too:
 * they share the event's range). Returns how many events went.
 */
export async function purgeDefaultPartitions(ctx: Ctx, batchSize = 1000): Promise<number> {
  const now = ctx.now();
  return purgeInBatches(ctx, now, batchSize, Infinity, (limit) =>
    ctx.db.execute<{ id: string; customer_id: string }>(
      sql`select id, customer_id from events_default where retention_until < ${now.toISOString()}::timestamptz limit ${limit}`,
    ),
  );
}

/** Batches of OVERDUE_BATCHES × batchSize at most per run: the rest waits for the next hour. */
const OVERDUE_BATCHES = 50;

/**
 * Deletes, in batches, the events more than PARTITION_DAYS past their retention_until wherever they
 * are (by the retention index), with their deliveries and attempts: those whose time range is kept
 * for other, longer-retained events. Bounded to `maxBatches` a run. Returns how many events went.
 */
async function purgeOverdue(ctx: Ctx, batchSize = 1000, maxBatches = OVERDUE_BATCHES): Promise<number> {
  const now = ctx.now();
  const cutoff = new Date(now.getTime() - ctx.config.partitionDays * 86400_000);
  return purgeInBatches(ctx, now, batchSize, maxBatches, (limit) =>
    ctx.db.execute<{ id: string; customer_id: string }>(
      sql`select id, customer_id from events where retention_until < ${cutoff.toISOString()}::timestamptz limit ${limit}`,
    ),
  );
}

async function purgeInBatches(
  ctx: Ctx,
  now: Date,
  batchSize: number,
  maxBatches: number,
  select: (limit: number) => Promise<Array<{ id: string; customer_id: string }>>,
): Promise<number> {
  let purged = 0;
  for (let n = 0; n < maxBatches; n++) {
    const batch = (await select(batchSize)).map((e) => ({ id: e.id, customerId: e.customer_id }));
    if (batch.length === 0) break;
    await ctx.db.transaction(async (tx) => {
      for (const [customerId, ids] of byCustomer(batch)) {
        const doomed = and(eq(deliveries.customerId, customerId), inArray(deliveries.eventId, ids));
        const dlv = tx.select({ id: deliveries.id }).from(deliveries).where(doomed);
        await tx.delete(attempts).where(and(eq(attempts.customerId, customerId), inArray(attempts.deliveryId, dlv)));
        await tx.delete(deliveries).where(doomed);
        await tx
          .delete(events)
          .where(and(eq(events.customerId, customerId), inArray(events.id, ids), lt(events.retentionUntil, now)));
      }
    });
    purged += batch.length;
    if (batch.length < batchSize) break;
  }
  return purged;
}

function byCustomer(rows: Array<{ id: string; customerId: string }>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.customerId, [...(out.get(r.customerId) ?? []), r.id]);
  return out;
}

/** Records each subscription's pending and held counts for the current minute (per-minute depth chart). */
export async function sampleQueueDepth(ctx: Ctx): Promise<void> {
  await ctx.db.execute(sql`
    insert into subscription_depth_samples (subscription_id, customer_id, minute, pending, held, breaker_state)
    select s.id, s.customer_id, date_trunc('minute', ${ctx.now().toISOString()}::timestamptz),
           count(d.id) filter (where d.status = 'pending')::int,
           count(d.id) filter (where d.status = 'held')::int,
           s.breaker_state
    from subscriptions s
    left join deliveries d on d.subscription_id = s.id and d.customer_id = s.customer_id and d.status in ('pending', 'held')
    group by s.id, s.customer_id
    on conflict (subscription_id, minute, customer_id) do update set pending = excluded.pending, held = excluded.held, breaker_state = excluded.breaker_state`);
}
