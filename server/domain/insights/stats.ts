import { and, eq, sql } from 'drizzle-orm';
import { deliveries, subscriptions } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { notFound } from '../errors';
import { scopeFilter } from '../scope';
import { outcomeAndLatency, wholeMs } from './chart-sql';

type MinuteStats = {
  minute: string;
  queueDepth: number | null;
  held: number | null;
  dispatched: number;
  succeeded: number;
  failed: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
};

/**
 * Per-minute figures of one subscription over the last `minutes`: dispatched / succeeded / failed and
 * latency percentiles come from its attempts; queue depth from the per-minute samples (depth-sample
 * job). Minutes with nothing are present with zeros, so charts have no holes.
 */
export async function subscriptionStats(ctx: Ctx, scope: Scope, id: string, minutes: number) {
  const [sub] = await ctx.db
    .select({
      id: subscriptions.id,
      breakerState: subscriptions.breakerState,
      rateLimitPerSecond: subscriptions.rateLimitPerSecond,
    })
    .from(subscriptions)
    .where(and(eq(subscriptions.id, id), scopeFilter(scope, subscriptions.customerId)));
  if (!sub) throw notFound('subscription');
  const now = ctx.now();
  const rows = await ctx.db.execute<{
    minute: Date;
    queue_depth: number | null;
    held: number | null;
    dispatched: number;
    succeeded: number;
    failed: number;
    p50: number | null;
    p99: number | null;
  }>(sql`
    with minutes as (
      select generate_series(date_trunc('minute', ${now.toISOString()}::timestamptz) - make_interval(mins => ${minutes - 1}), date_trunc('minute', ${now.toISOString()}::timestamptz), interval '1 minute') as minute
    ), a as (
      select date_trunc('minute', started_at) as minute,
             count(*)::int as dispatched,
             ${outcomeAndLatency}
      from attempts
      where subscription_id = ${id} and started_at >= date_trunc('minute', ${now.toISOString()}::timestamptz) - make_interval(mins => ${minutes - 1})
      group by 1
    )
    select m.minute, s.pending as queue_depth, s.held, coalesce(a.dispatched, 0) as dispatched, coalesce(a.succeeded, 0) as succeeded,
           coalesce(a.failed, 0) as failed, a.p50, a.p99
    from minutes m
    left join a on a.minute = m.minute
    left join subscription_depth_samples s on s.subscription_id = ${id} and s.minute = m.minute
    order by m.minute`);
  const [current] = await ctx.db
    .select({
      pending: sql<number>`count(*) filter (where ${deliveries.status} = 'pending')::int`,
      held: sql<number>`count(*) filter (where ${deliveries.status} = 'held')::int`,
      dead: sql<number>`count(*) filter (where ${deliveries.status} = 'dead')::int`,
    })
    .from(deliveries)
    .where(eq(deliveries.subscriptionId, id));
  const buckets: MinuteStats[] = rows.map((r) => ({
    minute: new Date(r.minute).toISOString(),
    queueDepth: r.queue_depth,
    held: r.held,
    dispatched: r.dispatched,
    succeeded: r.succeeded,
    failed: r.failed,
    latencyP50Ms: wholeMs(r.p50),
    latencyP99Ms: wholeMs(r.p99),
  }));
  return {
    subscriptionId: id,
    breakerState: sub.breakerState,
    rateLimitPerSecond: sub.rateLimitPerSecond,
    current: { pending: current?.pending ?? 0, held: current?.held ?? 0, dead: current?.dead ?? 0 },
    minutes: buckets,
  };
}
