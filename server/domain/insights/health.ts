import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { text } from '../../json';
import type { Ctx, Scope } from '../context';
import { actingCustomer } from '../scope';
import { bucketWindow, wholeMs } from './chart-sql';

/** The windows of the endpoint-health sparklines: twelve 5-minute buckets, or twenty-four hours. */
const healthRanges = {
  hour: { buckets: 12, bucketSeconds: 5 * 60 },
  day: { buckets: 24, bucketSeconds: 60 * 60 },
} as const;

export const subscriptionHealthInput = z.strictObject({
  customerId: text().optional().describe('Required with a platform key'),
  range: z.enum(['hour', 'day']).default('hour'),
});

type HealthBucket = { at: string; attempts: number; succeeded: number; latencyP99Ms: number | null };

export type SubscriptionHealth = {
  subscriptionId: string;
  attempts: number;
  succeeded: number;
  /** Share of attempts answered 2xx in the window, 0..1; null without attempts. */
  successRate: number | null;
  latencyP99Ms: number | null;
  /** Dead letters now (what a replay would resend). */
  dead: number;
  buckets: HealthBucket[];
};

/**
 * Each of a customer's subscriptions over the last hour or day: success rate and p99 latency of its
 * attempts per bucket (for sparklines) and over the window, and its dead letters now. Every
 * subscription of the customer is present, with zeros when it had no traffic. Buckets are aligned
 * as the overview's are (multiples of their width since 2000-01-01 UTC).
 */
export async function subscriptionHealth(
  ctx: Ctx,
  scope: Scope,
  input: z.infer<typeof subscriptionHealthInput>,
): Promise<{ range: 'hour' | 'day'; bucketSeconds: number; subscriptions: SubscriptionHealth[] }> {
  const customerId = actingCustomer(scope, input.customerId);
  const { bucketSeconds } = healthRanges[input.range];
  const { step, first, last } = bucketWindow(ctx, healthRanges[input.range]);

  const rows = await ctx.db.execute<{
    subscription_id: string;
    at: Date;
    attempts: number;
    succeeded: number;
    p99: number | null;
  }>(sql`
    select s.id as subscription_id, b.at, coalesce(a.attempts, 0) as attempts, coalesce(a.succeeded, 0) as succeeded, a.p99
    from subscriptions s
    cross join generate_series(${first}, ${last}, ${step}) as b(at)
    left join (
      select subscription_id, date_bin(${step}, started_at, timestamptz '2000-01-01 00:00:00+00') as at,
             count(*)::int as attempts,
             count(*) filter (where status = 'succeeded')::int as succeeded,
             percentile_cont(0.99) within group (order by latency_ms) as p99
      from attempts
      where customer_id = ${customerId} and started_at >= ${first}
      group by 1, 2
    ) a on a.subscription_id = s.id and a.at = b.at
    where s.customer_id = ${customerId}
    order by s.id, b.at`);

  const totals = await ctx.db.execute<{
    subscription_id: string;
    attempts: number;
    succeeded: number;
    p99: number | null;
    dead: number;
  }>(sql`
    select s.id as subscription_id,
           coalesce(a.attempts, 0) as attempts, coalesce(a.succeeded, 0) as succeeded, a.p99,
           (select count(*)::int from deliveries d where d.subscription_id = s.id and d.customer_id = ${customerId} and d.status = 'dead') as dead
    from subscriptions s
    left join (
      select subscription_id, count(*)::int as attempts,
             count(*) filter (where status = 'succeeded')::int as succeeded,
             percentile_cont(0.99) within group (order by latency_ms) as p99
      from attempts
      where customer_id = ${customerId} and started_at >= ${first}
      group by 1
    ) a on a.subscription_id = s.id
    where s.customer_id = ${customerId}`);

  const bySub = new Map<string, HealthBucket[]>();
  for (const r of rows) {
    const list = bySub.get(r.subscription_id) ?? [];
    list.push({
      at: new Date(r.at).toISOString(),
      attempts: r.attempts,
      succeeded: r.succeeded,
      latencyP99Ms: wholeMs(r.p99),
    });
    bySub.set(r.subscription_id, list);
  }
  return {
    range: input.range,
    bucketSeconds,
    subscriptions: totals.map((t) => ({
      subscriptionId: t.subscription_id,
      attempts: t.attempts,
      succeeded: t.succeeded,
      successRate: t.attempts > 0 ? t.succeeded / t.attempts : null,
      latencyP99Ms: wholeMs(t.p99),
      dead: t.dead,
      buckets: bySub.get(t.subscription_id) ?? [],
    })),
  };
}
