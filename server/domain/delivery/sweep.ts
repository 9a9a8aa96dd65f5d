import { rawClient } from '../../db/client';
import type { Ctx } from '../context';
import { waiting } from './admission-sql';

/**
 * Self-healing, every few seconds: re-flags subscriptions with waiting deliveries (a flag cleared by
 * a dispatcher tick racing a concurrent publish is set again here), and releases window slots held
 * by deliveries whose job vanished (queued for longer than any job can live: pg-boss gave up on it).
 */
export async function sweep(ctx: Ctx, staleAfterMs: number): Promise<{ reflagged: number; released: number }> {
  const sql = rawClient(ctx.db);
  const now = ctx.now();
  const stale = new Date(now.getTime() - staleAfterMs).toISOString();
  if (ctx.config.distributed) {
    // Citus runs neither the recursive skip-scan nor a data-modifying CTE across shards: each shard
    // checks its own subscriptions (the subquery joins on customer_id, so it stays on the shard).
    const reflagged = await sql`update subscriptions s set backlog = true where not s.backlog and ${waiting(sql)}`;
    const freed = await sql<{ subscription_id: string; customer_id: string }[]>`
      update deliveries set queued_at = null where status = 'pending' and queued_at < ${stale}::timestamptz returning subscription_id, customer_id`;
    const subs = [...new Map(freed.map((f) => [f.subscription_id, f])).values()];
    if (subs.length)
      await sql`
        update subscriptions s set backlog = true
        from unnest(${subs.map((f) => f.subscription_id)}::text[], ${subs.map((f) => f.customer_id)}::text[]) as x(id, customer_id)
        where s.id = x.id and s.customer_id = x.customer_id`;
    return { reflagged: reflagged.count, released: freed.length };
  }
  const reflagged = await sql`
    with recursive subs as (
      (select subscription_id from deliveries where status = 'pending' and queued_at is null order by subscription_id limit 1)
      union all
      select (select d.subscription_id from deliveries d where d.status = 'pending' and d.queued_at is null and d.subscription_id > subs.subscription_id order by d.subscription_id limit 1)
      from subs where subs.subscription_id is not null
    )
    update subscriptions s set backlog = true from subs where s.id = subs.subscription_id and not s.backlog`;
  const released = await sql`
    with r as (
      update deliveries set queued_at = null where status = 'pending' and queued_at < ${stale}::timestamptz returning subscription_id, customer_id
    )
    update subscriptions s set backlog = true from (select distinct subscription_id, customer_id from r) x
    where s.id = x.subscription_id and s.customer_id = x.customer_id`;
  return { reflagged: reflagged.count, released: released.count };
}
