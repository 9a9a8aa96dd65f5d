import { rawClient } from '../../db/client';
import { dayOf } from '../audit/usage-counting';
import type { Ctx, Scope } from '../context';
import { assertNamed, listingCustomer } from '../scope';
import { quotaUsage } from '../tenants/limits';

/**
 * `GET /usage?from&to`: per customer and day (a customer key: its own; the platform: any or all), and
 * the customer's quotas with what it uses of them today (usage only with one customer in view).
 */
export async function getUsage(
  ctx: Ctx,
  scope: Scope,
  input: { customerId?: string | undefined; from?: Date | undefined; to?: Date | undefined },
) {
  const customerId = listingCustomer(scope, input.customerId);
  await assertNamed(ctx, scope, customerId, {});
  const to = input.to ?? ctx.now();
  const from = input.from ?? new Date(to.getTime() - 30 * 86400_000);
  // The folded totals plus the deltas not folded yet (at most a minute's worth), in one statement.
  const sql = rawClient(ctx.db);
  const who = customerId ? sql`and customer_id = ${customerId}` : sql``;
  const within = sql`day between ${dayOf(from)}::date and ${dayOf(to)}::date ${who}`;
  const cols = sql`customer_id, day, events_published, deliveries_attempted, deliveries_succeeded, deliveries_failed, bytes_sent, bytes_published`;
  const rows = await sql<
    Array<{ customerId: string; day: string; e: number; a: number; s: number; f: number; b: string; p: string }>
  >`
    select customer_id as "customerId", day::text as day, sum(events_published)::int as e, sum(deliveries_attempted)::int as a,
           sum(deliveries_succeeded)::int as s, sum(deliveries_failed)::int as f, sum(bytes_sent)::text as b, sum(bytes_published)::text as p
    from (select ${cols} from usage_daily where ${within} union all select ${cols} from usage_deltas where ${within}) u
    group by customer_id, day
    order by day, customer_id`;
  const data = rows.map((r) => ({
    customerId: r.customerId,
    day: r.day,
    eventsPublished: r.e,
    deliveriesAttempted: r.a,
    deliveriesSucceeded: r.s,
    deliveriesFailed: r.f,
    bytesSent: Number(r.b),
    bytesPublished: Number(r.p),
  }));
  const totals = data.reduce(
    (t, r) => ({
      eventsPublished: t.eventsPublished + r.eventsPublished,
      deliveriesAttempted: t.deliveriesAttempted + r.deliveriesAttempted,
      deliveriesSucceeded: t.deliveriesSucceeded + r.deliveriesSucceeded,
      deliveriesFailed: t.deliveriesFailed + r.deliveriesFailed,
      bytesSent: t.bytesSent + r.bytesSent,
      bytesPublished: t.bytesPublished + r.bytesPublished,
    }),
    {
      eventsPublished: 0,
      deliveriesAttempted: 0,
      deliveriesSucceeded: 0,
      deliveriesFailed: 0,
      bytesSent: 0,
      bytesPublished: 0,
    },
  );
  return { from: dayOf(from), to: dayOf(to), data, totals, quotas: await quotaUsage(ctx, customerId) };
}
