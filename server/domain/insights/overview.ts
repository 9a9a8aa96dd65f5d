import { eq, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { text } from '../../json';
import { deliveries } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { actingCustomer } from '../scope';
import { bucketWindow, outcomeAndLatency, wholeMs } from './chart-sql';

/** The windows the overview offers, each cut into equal buckets (the chart's bars). */
const overviewRanges = {
  hour: { buckets: 60, bucketSeconds: 60 },
  day: { buckets: 96, bucketSeconds: 15 * 60 },
} as const;

export const overviewInput = z.strictObject({
  customerId: text().optional().describe('Required with a platform key'),
  range: z.enum(['hour', 'day']).default('hour'),
});

type OverviewBucket = {
  /** Start of the bucket. */
  at: string;
  attempts: number;
  succeeded: number;
  failed: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  /** Deliveries that became dead letters in this bucket. */
  deadLettered: number;
};

/**
 * When the customer's deliveries became dead letters, since `since`: a history that a replay does
 * not rewrite (a replay resets the delivery's status and `completed_at`, never its attempts).
 * - An attempt decided it: the failed attempt that scheduled no retry and was not a 410 (which holds
 *   the delivery instead). Attempts are never updated, so this stays after a replay.
 * - No attempt decided it (the retry window ended behind an open breaker; held deliveries discarded
 *   on resume): the delivery is dead now, and no attempt of its current cycle ended it. These are
 *   known only from the delivery row, so a replay of such a delivery removes it from the history
 *   (recording them durably needs a log of their own).
 */
function deadLetterings(customerId: string, since: SQL): SQL {
  return sql`
    select started_at as died_at from attempts
    where customer_id = ${customerId} and started_at >= ${since}
      and status = 'failed' and next_retry_at is null and response_status is distinct from 410
    union all
    select dl.completed_at from deliveries dl
    where dl.customer_id = ${customerId} and dl.status = 'dead' and dl.completed_at >= ${since}
      and not exists (
        select 1 from attempts last
        where last.delivery_id = dl.id and last.customer_id = dl.customer_id and last.attempt_seq = dl.attempt_count and last.attempt_seq > dl.cycle_start
          and last.status = 'failed' and last.next_retry_at is null and last.response_status is distinct from 410)`;
}

/**
 * A customer's whole traffic over the last hour or day, bucket by bucket: attempts (succeeded /
 * failed), latency percentiles, new dead letters; plus window totals and where its deliveries stand
 * now. Every query filters by the acting customer. Buckets with nothing are present with zeros, so
 * charts have no holes; a bucket starts at a multiple of its width since 2000-01-01 UTC, so the
 * same minute lands in the same bucket on every refresh.
 */
export async function customerOverview(ctx: Ctx, scope: Scope, input: z.infer<typeof overviewInput>) {
  const customerId = actingCustomer(scope, input.customerId);
  const { bucketSeconds } = overviewRanges[input.range];
  const { now, step, first, last } = bucketWindow(ctx, overviewRanges[input.range]);
  const bucketOf = (column: SQL) => sql`date_bin(${step}, ${column}, timestamptz '2000-01-01 00:00:00+00')`;

  const rows = await ctx.db.execute<{
    at: Date;
    attempts: number;
    succeeded: number;
    failed: number;
    p50: number | null;
    p99: number | null;
    dead: number;
  }>(sql`
    with b as (
      select generate_series(${first}, ${last}, ${step}) as at
    ), a as (
      select ${bucketOf(sql.raw('started_at'))} as at,
             count(*)::int as attempts,
             ${outcomeAndLatency}
      from attempts
      where customer_id = ${customerId} and started_at >= ${first}
      group by 1
    ), d as (
      select ${bucketOf(sql.raw('died_at'))} as at, count(*)::int as dead
      from (${deadLetterings(customerId, first)}) x
      group by 1
    )
    select b.at, coalesce(a.attempts, 0) as attempts, coalesce(a.succeeded, 0) as succeeded, coalesce(a.failed, 0) as failed,
           a.p50, a.p99, coalesce(d.dead, 0) as dead
    from b left join a on a.at = b.at left join d on d.at = b.at
    order by b.at`);

  const [totals] = await ctx.db.execute<{
    attempts: number;
    succeeded: number;
    p50: number | null;
    p99: number | null;
  }>(sql`
    select count(*)::int as attempts,
           count(*) filter (where status = 'succeeded')::int as succeeded,
           percentile_cont(0.5) within group (order by latency_ms) as p50,
           percentile_cont(0.99) within group (order by latency_ms) as p99
    from attempts
    where customer_id = ${customerId} and started_at >= ${first}`);

  const byStatus = await ctx.db
    .select({ status: deliveries.status, n: sql<number>`count(*)::int` })
    .from(deliveries)
    .where(eq(deliveries.customerId, customerId))
    .groupBy(deliveries.status);
  const current = { pending: 0, held: 0, dead: 0, succeeded: 0 };
  for (const r of byStatus) current[r.status] = r.n;

  const series: OverviewBucket[] = rows.map((r) => ({
    at: new Date(r.at).toISOString(),
    attempts: r.attempts,
    succeeded: r.succeeded,
    failed: r.failed,
    latencyP50Ms: wholeMs(r.p50),
    latencyP99Ms: wholeMs(r.p99),
    deadLettered: r.dead,
  }));
  const attempts = totals?.attempts ?? 0;
  return {
    customerId,
    range: input.range,
    bucketSeconds,
    from: series[0]?.at ?? now,
    buckets: series,
    totals: {
      attempts,
      succeeded: totals?.succeeded ?? 0,
      /** Share of attempts that succeeded, 0..1; null when there were none. */
      successRate: attempts > 0 ? (totals?.succeeded ?? 0) / attempts : null,
      latencyP50Ms: wholeMs(totals?.p50),
      latencyP99Ms: wholeMs(totals?.p99),
      deadLettered: series.reduce((s, b) => s + b.deadLettered, 0),
    },
    current,
  };
}
