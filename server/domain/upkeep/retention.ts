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
 * 4. purges expired idempotency keys and broadcasts, depth samples and audit entries older than the
 *    retention window.
 * An expired event in a range that still holds live ones stays until its range goes (at most one
 * PARTITION_DAYS later); replay refuses it from retention_until on. Returns the events purged.
 */
export async function purgeExpired(ctx: Ctx, batchSize = 1000): Promise<number> {
  const now = ctx.now();
  const opts = { now, log: ctx.log, retentionDays: ctx.config.retentionDays, intervalDays: ctx.config.partitionDays };
  await ensurePartitions(ctx.db, opts);
  const purged = (await dropExpiredPartitions(ctx.db, opts)).events + (await purgeDefaultPartitions(ctx, batchSize));
  await ctx.db.delete(eventKeys).where(lt(eventKeys.retentionUntil, now));
  // A broadcast's copies went with the events above (they expire with it); then the broadcast itself.
  await ctx.db.delete(broadcasts).where(lt(broadcasts.retentionUntil, now));
  const cutoff = new Date(now.getTime() - ctx.config.retentionDays * 86400_000);
  await ctx.db.delete(subscriptionDepthSamples).where(lt(subscriptionDepthSamples.minute, cutoff));
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
  let purged = 0;
  for (;;) {
    const batch = (
      await ctx.db.execute<{ id: string; customer_id: string }>(
        sql`select id, customer_id from events_default where retention_until < ${now.toISOString()}::timestamptz limit ${batchSize}`,
      )
    ).map((e) => ({ id: e.id, customerId: e.customer_id }));
    if (batch.length === 0) break;
    await ctx.db.transaction(async (tx) => {
      for (const [customerId, ids] of byCustomer(batch)) {
        const doomed = and(eq(deliveries.customerId, customerId), inArray(deliveries.eventId, ids));
        const dlv = tx.select({ id: deliveries.id }).from(deliveries).where(doomed);
        await tx.delete(attempts).where(and(eq(attempts.customerId, customerId), inArray(attempts.deliveryId, dlv)));
        await tx.delete(deliveries).where(doomed);
        await tx.delete(events).where(and(eq(events.customerId, customerId), inArray(events.id, ids), lt(events.retentionUntil, now)));
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
