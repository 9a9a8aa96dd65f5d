import type { Sql } from 'postgres';

/** The SQL pieces admission (admission.ts, probe.ts) is built of: the customers' admission lock, window counts, and the predicates a delivery must meet. */
/**
 * One admitter per customer at a time: the customer's cap is read and spent by counting its queued
 * deliveries, which concurrent admitters (publishes, refills of several workers, the dispatcher)
 * would each see free. A try-lock per customer, held to the end of the caller's transaction and
 * taken in a statement of its own, so that the admission's snapshot, taken after it, sees what the
 * previous holder admitted. Publishes and the dispatcher try the lock and skip a customer another
 * transaction holds (its deliveries wait in the table, flagged, for the holder, a refill or the next
 * tick): they never wait. A refill (`wait`), which runs in a short transaction of its own, waits
 * for it, taking its customers' locks in id order: two refills never deadlock, and the others never
 * wait. Returns the customers locked.
 */
export async function lockCustomers(sql: Sql, customerIds: string[], wait = false): Promise<string[]> {
  if (customerIds.length === 0) return [];
  const ids = [...new Set(customerIds)].sort();
  if (wait) {
    await sql`select pg_advisory_xact_lock(${CAP_LOCK_SPACE}, hashtext(c.id)) from unnest(${ids}::text[]) with ordinality as c(id, n) order by c.n`;
    return ids;
  }
  const rows = await sql<{ id: string }[]>`
    select c.id from unnest(${ids}::text[]) as c(id) where pg_try_advisory_xact_lock(${CAP_LOCK_SPACE}, hashtext(c.id))`;
  return rows.map((r) => r.id);
}
const CAP_LOCK_SPACE = 0x686b6361; // 'hkca'

/**
 * How many deliveries of customer `alias` hold a slot of its cap of attempts in flight (queued: they
 * have a job). Pending ones only: a delivery that ended or was held while queued frees its slot.
 */
export const customerQueued = (sql: Sql, alias: string) =>
  sql`(select count(*) from deliveries q where q.customer_id = ${sql(alias)}.customer_id and q.queued_at is not null and q.status = 'pending')::int`;

/** How many deliveries of subscription `s` hold a slot of its window (queued: they have a job). */
export const queuedIn = (sql: Sql, customerId?: string) =>
  sql`(select count(*) from deliveries q where q.subscription_id = s.id and q.customer_id = s.customer_id and q.queued_at is not null ${customerId ? sql`and q.customer_id = ${customerId}` : sql``})::int`;

/**
 * Delivery `alias` is one an open breaker owes its schedule: it had started before the breaker opened
 * at `openedAt` (attempted in its current cycle, or already due). Such a delivery is never held past
 * its scheduled attempt: that attempt goes out as the breaker's probe, one at a time, however long
 * the cool-down. Deliveries that first come due while the breaker is open wait for the cool-down.
 */
export const owedBy = (sql: Sql, alias: string, openedAt: ReturnType<Sql>) =>
  sql`(${sql(alias)}.attempt_count > ${sql(alias)}.cycle_start or ${sql(alias)}.next_attempt_at <= ${openedAt})`;

/**
 * Delivery `alias`, which has an ordering key, is its lane's head: no delivery of its lane (same
 * subscription and key) before it is still to be done (pending or held) or blocks the lane (a strict
 * subscription's dead letter), and none after it is in flight (one replayed ahead of it). So a lane
 * has at most one delivery in flight, and they go in event id order, which is publish order (ids.ts
 * `newEventId`). Read through `deliveries_lane_idx` (its predicate is repeated here so that the
 * planner may use it). Admissions of one customer never run at once (`lockCustomers`), so two heads
 * of one lane are never admitted together.
 */
export const laneHead = (sql: Sql, alias: string, customerId?: string) =>
  sql`not exists (select 1 from deliveries y
        where y.customer_id = ${sql(alias)}.customer_id and y.subscription_id = ${sql(alias)}.subscription_id
          and y.ordering_key = ${sql(alias)}.ordering_key ${customerId ? sql`and y.customer_id = ${customerId}` : sql``}
          and (y.status in ('pending', 'held') or y.lane_hold)
          and (y.event_id < ${sql(alias)}.event_id or y.queued_at is not null))`;

/**
 * A keyed delivery's retry window starts when it leaves its lane for its first attempt of the cycle,
 * not when it was published: time spent behind a failing head is not taken from its own retries.
 */
export const laneCycleStart = (sql: Sql, now: string) =>
  sql`case when d.ordering_key is not null and d.attempt_count = d.cycle_start then ${now}::timestamptz else d.cycle_started_at end`;

/** Subscriptions `s` the fast path may fill: no rate tokens to spend, breaker closed (the dispatcher takes the rest). */
export const fastPath = (sql: Sql) => sql`s.rate_limit_per_second is null and s.breaker_state = 'closed'`;

/**
 * "Some delivery of subscription `s` waits in the table", written as a scalar subquery with LIMIT 1
 * so PostgreSQL evaluates it per subscription through the backlog index. (As EXISTS it may be
 * turned into an anti-join that hashes a whole 100,000-row backlog when statistics are stale.)
 */
export const waiting = (sql: Sql, customerId?: string) =>
  sql`((select count(*) from (select 1 from deliveries d where d.subscription_id = s.id and d.customer_id = s.customer_id ${customerId ? sql`and d.customer_id = ${customerId}` : sql``} and d.status = 'pending' and d.queued_at is null limit 1) w) > 0)`;
