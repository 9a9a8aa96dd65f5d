import { rawClient, type Queryable } from '../../db/client';
import { waiting } from './admission-sql';
import type { SubscriptionRef } from './subscription-ref';

/**
 * Marks subscriptions whose deliveries (some) wait in the table, so the dispatcher looks at them.
 * Filtered by their customers too: one customer's (the usual case) is one shard on Citus.
 */
export async function flagBacklog(q: Queryable, subs: SubscriptionRef[]): Promise<void> {
  if (subs.length === 0) return;
  const sql = rawClient(q);
  const customers = [...new Set(subs.map((s) => s.customerId))];
  await sql`
    update subscriptions s set backlog = true
    where s.id = any(${subs.map((s) => s.id)}::text[])
      and ${customers.length === 1 ? sql`s.customer_id = ${customers[0]!}` : sql`s.customer_id = any(${customers}::text[])`}
      and not s.backlog and ${waiting(sql, customers.length === 1 ? customers[0] : undefined)}`;
}
