import { and, asc, eq, gte, lte } from 'drizzle-orm';
import { usageDaily } from '../../../drizzle/schema';
import { rawClient, type Queryable } from '../../db/client';
import type { Ctx, Scope } from '../context';
import { listingCustomer } from '../tenants/scope';

/**
 * Usage per customer and UTC day, counted incrementally by the transactions that do the work (one
 * upsert per customer per batch), never by re-reading deliveries.
 */
export type UsageDelta = { customerId: string; day: string; events?: number; attempted?: number; succeeded?: number; failed?: number; bytes?: number };

export const dayOf = (d: Date): string => d.toISOString().slice(0, 10);

/** Adds the deltas (merged per customer and day) in one statement, in the caller's transaction. */
export async function countUsage(q: Queryable, deltas: UsageDelta[]): Promise<void> {
  const merged = new Map<string, Required<UsageDelta>>();
  for (const d of deltas) {
    const k = `${d.customerId}|${d.day}`;
    const m = merged.get(k) ?? { customerId: d.customerId, day: d.day, events: 0, attempted: 0, succeeded: 0, failed: 0, bytes: 0 };
    m.events += d.events ?? 0;
    m.attempted += d.attempted ?? 0;
    m.succeeded += d.succeeded ?? 0;
    m.failed += d.failed ?? 0;
    m.bytes += d.bytes ?? 0;
    merged.set(k, m);
  }
  if (merged.size === 0) return;
  // Sorted, so concurrent batches lock the same rows in the same order (no deadlocks).
  const rows = [...merged.values()].sort((a, b) => (a.customerId + a.day < b.customerId + b.day ? -1 : 1));
  const col = <K extends keyof Required<UsageDelta>>(k: K) => rows.map((r) => String(r[k]));
  await rawClient(q)`
    insert into usage_daily as u (customer_id, day, events_published, deliveries_attempted, deliveries_succeeded, deliveries_failed, bytes_sent)
    select c, d::date, e::int, a::int, s::int, f::int, b::bigint
    from unnest(${col('customerId')}::text[], ${col('day')}::text[], ${col('events')}::text[], ${col('attempted')}::text[], ${col('succeeded')}::text[], ${col('failed')}::text[], ${col('bytes')}::text[]) as x(c, d, e, a, s, f, b)
    on conflict (customer_id, day) do update set
      events_published = u.events_published + excluded.events_published,
      deliveries_attempted = u.deliveries_attempted + excluded.deliveries_attempted,
      deliveries_succeeded = u.deliveries_succeeded + excluded.deliveries_succeeded,
      deliveries_failed = u.deliveries_failed + excluded.deliveries_failed,
      bytes_sent = u.bytes_sent + excluded.bytes_sent`;
}

/** `GET /usage?from&to`: per customer and day (a customer key: its own; the platform: any or all). */
export async function getUsage(ctx: Ctx, scope: Scope, input: { customerId?: string | undefined; from?: Date | undefined; to?: Date | undefined }) {
  const customerId = listingCustomer(scope, input.customerId);
  const to = input.to ?? ctx.now();
  const from = input.from ?? new Date(to.getTime() - 30 * 86400_000);
  const rows = await ctx.db
    .select()
    .from(usageDaily)
    .where(and(customerId ? eq(usageDaily.customerId, customerId) : undefined, gte(usageDaily.day, dayOf(from)), lte(usageDaily.day, dayOf(to))))
    .orderBy(asc(usageDaily.day), asc(usageDaily.customerId));
  const data = rows.map((r) => ({
    customerId: r.customerId,
    day: r.day,
    eventsPublished: r.eventsPublished,
    deliveriesAttempted: r.deliveriesAttempted,
    deliveriesSucceeded: r.deliveriesSucceeded,
    deliveriesFailed: r.deliveriesFailed,
    bytesSent: r.bytesSent,
  }));
  const totals = data.reduce(
    (t, r) => ({
      eventsPublished: t.eventsPublished + r.eventsPublished,
      deliveriesAttempted: t.deliveriesAttempted + r.deliveriesAttempted,
      deliveriesSucceeded: t.deliveriesSucceeded + r.deliveriesSucceeded,
      deliveriesFailed: t.deliveriesFailed + r.deliveriesFailed,
      bytesSent: t.bytesSent + r.bytesSent,
    }),
    { eventsPublished: 0, deliveriesAttempted: 0, deliveriesSucceeded: 0, deliveriesFailed: 0, bytesSent: 0 },
  );
  return { from: dayOf(from), to: dayOf(to), data, totals };
}
