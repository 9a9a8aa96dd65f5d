import { and, inArray, lt, sql } from 'drizzle-orm';
import { broadcasts, events, subscriptionDepthSamples } from '../../../drizzle/schema';
import type { Ctx } from '../context';
import { purgeAudit } from '../audit/log';

/**
 * Purges events past retention_until, with their deliveries and attempts (ON DELETE CASCADE), in
 * batches so one run never holds a long transaction. After this, replay of those events is refused
 * (they no longer exist). Also drops depth samples older than the retention window.
 */
export async function purgeExpired(ctx: Ctx, batchSize = 1000): Promise<number> {
  const now = ctx.now();
  let purged = 0;
  for (;;) {
    const batch = await ctx.db.select({ id: events.id }).from(events).where(lt(events.retentionUntil, now)).limit(batchSize);
    if (batch.length === 0) break;
    await ctx.db.delete(events).where(
      and(
        inArray(
          events.id,
          batch.map((e) => e.id),
        ),
        lt(events.retentionUntil, now),
      ),
    );
    purged += batch.length;
    if (batch.length < batchSize) break;
  }
  // A broadcast's copies went with the events above (they expire with it); then the broadcast itself.
  await ctx.db.delete(broadcasts).where(lt(broadcasts.retentionUntil, now));
  const cutoff = new Date(now.getTime() - ctx.config.retentionDays * 86400_000);
  await ctx.db.delete(subscriptionDepthSamples).where(lt(subscriptionDepthSamples.minute, cutoff));
  await purgeAudit(ctx);
  return purged;
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
