import { rawClient, type Queryable } from '../../db/client';
import type { Ctx } from '../context';
import { isPlatformCustomer } from '../platform-customer';

/**
 * Usage per customer and UTC day, counted incrementally by the transactions that do the work, never
 * by re-reading deliveries: each appends one `usage_deltas` row per customer and day it touched (no
 * shared row is updated, so nothing waits on a counter), and `rollUpUsage` folds them into
 * `usage_daily` every minute. Reads add the deltas not folded yet, so a count is exact at once.
 */
export type UsageDelta = {
  customerId: string;
  day: string;
  events?: number;
  attempted?: number;
  succeeded?: number;
  failed?: number;
  /** Bytes sent in attempts. */
  bytes?: number;
  /** The stored body bytes of the events published (the stored-bytes quota, tenants/limits.ts). */
  published?: number;
};

export const dayOf = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * Appends the deltas (merged per customer and day) in one statement, in the caller's transaction.
 * The platform customer's (its operational webhooks' attempts) are nobody's usage and are not counted.
 */
export async function countUsage(q: Queryable, deltas: UsageDelta[]): Promise<void> {
  const merged = new Map<string, Required<UsageDelta>>();
  for (const d of deltas) {
    if (isPlatformCustomer(d.customerId)) continue;
    const k = `${d.customerId}|${d.day}`;
    const m = merged.get(k) ?? {
      customerId: d.customerId,
      day: d.day,
      events: 0,
      attempted: 0,
      succeeded: 0,
      failed: 0,
      bytes: 0,
      published: 0,
    };
    m.events += d.events ?? 0;
    m.attempted += d.attempted ?? 0;
    m.succeeded += d.succeeded ?? 0;
    m.failed += d.failed ?? 0;
    m.bytes += d.bytes ?? 0;
    m.published += d.published ?? 0;
    merged.set(k, m);
  }
  if (merged.size === 0) return;
  const rows = [...merged.values()];
  const col = <K extends keyof Required<UsageDelta>>(k: K) => rows.map((r) => String(r[k]));
  await rawClient(q)`
    insert into usage_deltas (customer_id, day, events_published, deliveries_attempted, deliveries_succeeded, deliveries_failed, bytes_sent, bytes_published)
    select c, d::date, e::int, a::int, s::int, f::int, b::bigint, p::bigint
    from unnest(${col('customerId')}::text[], ${col('day')}::text[], ${col('events')}::text[], ${col('attempted')}::text[], ${col('succeeded')}::text[],
                ${col('failed')}::text[], ${col('bytes')}::text[], ${col('published')}::text[]) as x(c, d, e, a, s, f, b, p)`;
}

const ROLLUP_BATCH = 20_000;

/**
 * The `usage-rollup` job: moves appended deltas into `usage_daily`, oldest first, in batches (each
 * one transaction: delete the deltas, add their sums). Concurrent rollups skip each other's rows.
 * Returns the number of deltas folded.
 */
export async function rollUpUsage(ctx: Ctx): Promise<number> {
  let total = 0;
  for (;;) {
    const moved = await ctx.db.transaction(async (tx) => {
      const [r] = await rawClient(tx)<{ n: number }[]>`
        with moved as (
          delete from usage_deltas where id in (select id from usage_deltas order by id limit ${ROLLUP_BATCH} for update skip locked)
          returning customer_id, day, events_published, deliveries_attempted, deliveries_succeeded, deliveries_failed, bytes_sent, bytes_published
        ), summed as (
          select customer_id, day, sum(events_published)::int as e, sum(deliveries_attempted)::int as a, sum(deliveries_succeeded)::int as s,
                 sum(deliveries_failed)::int as f, sum(bytes_sent)::bigint as b, sum(bytes_published)::bigint as p, count(*)::int as n
          from moved group by customer_id, day
        ), folded as (
          insert into usage_daily as u (customer_id, day, events_published, deliveries_attempted, deliveries_succeeded, deliveries_failed, bytes_sent, bytes_published)
          select customer_id, day, e, a, s, f, b, p from summed order by customer_id, day
          on conflict (customer_id, day) do update set
            events_published = u.events_published + excluded.events_published,
            deliveries_attempted = u.deliveries_attempted + excluded.deliveries_attempted,
            deliveries_succeeded = u.deliveries_succeeded + excluded.deliveries_succeeded,
            deliveries_failed = u.deliveries_failed + excluded.deliveries_failed,
            bytes_sent = u.bytes_sent + excluded.bytes_sent,
            bytes_published = u.bytes_published + excluded.bytes_published
        )
        select coalesce(sum(n), 0)::int as n from summed`;
      return r?.n ?? 0;
    });
    total += moved;
    if (moved < ROLLUP_BATCH) return total;
  }
}
