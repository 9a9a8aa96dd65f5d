import { sql } from 'drizzle-orm';
import type { Ctx } from '../context';

/** Of a group of attempts: succeeded and failed counts, latency p50 and p99 (shared by the charts' queries). */
export const outcomeAndLatency = sql`count(*) filter (where status = 'succeeded')::int as succeeded,
             count(*) filter (where status = 'failed')::int as failed,
             percentile_cont(0.5) within group (order by latency_ms) as p50,
             percentile_cont(0.99) within group (order by latency_ms) as p99`;

/**
 * A chart's window of `buckets` buckets of `bucketSeconds`, ending with the one holding now: `step`
 * (a bucket's width), `first` and `last` (the first and last buckets' starts). A bucket starts at a
 * multiple of its width since 2000-01-01 UTC, so the same minute lands in the same bucket on every refresh.
 */
export function bucketWindow(ctx: Ctx, range: { buckets: number; bucketSeconds: number }) {
  const now = ctx.now().toISOString();
  const step = sql`make_interval(secs => ${range.bucketSeconds})`;
  const last = sql`date_bin(${step}, ${now}::timestamptz, timestamptz '2000-01-01 00:00:00+00')`;
  const first = sql`(${last} - ${step} * ${range.buckets - 1})`;
  return { now, step, first, last };
}

/** A latency from PostgreSQL (a float, or null without attempts) in whole milliseconds. */
export const wholeMs = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(Number(v)));
