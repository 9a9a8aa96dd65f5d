import type { Sql } from 'postgres';
import { rawClient, type Queryable } from '../../db/client';
import type { Ctx } from '../context';
import { probeAdmitted } from './breaker';
import type { SubscriptionRef } from './subscription-ref';
import { enqueueAdmitted, type AdmittedRow } from './admitted-jobs';
import {
  customerQueued,
  fastPath,
  laneCycleStart,
  laneHead,
  lockCustomers,
  owedBy,
  queuedIn,
  waiting,
} from './admission-sql';
import { tracingOn } from '../../tracing';
import { type TraceContext } from '../../tracing-context';

/**
 * Flow control: how deliveries move from our `deliveries` table into pg-boss.
 *
 * A subscription has a window of `max_in_flight` queued deliveries (at most SUBSCRIPTION_MAX_IN_FLIGHT,
 * whatever an older row says) (those with a job, `queued_at`
 * set). Everything else that is pending waits in the table, live traffic ahead of bulk replays,
 * so one stuck customer's backlog never becomes a pile of ready jobs that slows every fetch
 * (docs/performance.md, "Delivery: why the code is shaped so"). `admit` fills windows, oldest due first:
 *
 * - fast path (`fast: true`), run inline by publish, attempt completion, replay: only for
 *   subscriptions with a closed breaker and no rate limit; window counts are read without locks, so
 *   concurrent callers may overshoot a window by a few (bounded by their number);
 * - dispatcher (`fast: false`), run by one worker at a time (advisory lock) every tick: everything
 *   else, i.e. rate-limited subscriptions (token bucket spent here, so the limit holds across all
 *   workers), circuit-breaker probes (one delivery when the cool-down has passed, or when a delivery
 *   the breaker owes its schedule comes due: see `owedBy`), retries that became due, and backlogs
 *   left by the fast path.
 *
 * Each admitted delivery gets its job in the caller's transaction.
 */
export type Admitted = { id: string; subscriptionId: string };

type AdmitRow = AdmittedRow & { tokens: number | null };

/**
 * `subscriptions`: the windows to fill (the fast path); none: every subscription flagged with a
 * backlog (the dispatcher). On Citus (`ctx.config.distributed`) it runs one statement per
 * customer, each on that customer's shard; on PostgreSQL, one statement for all.
 * `parents` (tracing on): the span each event's admissions belong under, by event id (its fan-out, or
 * the replay that asked); an event not in it has its admissions under its publish (events.trace_parent).
 */
export async function admit(
  ctx: Ctx,
  q: Queryable,
  opts: {
    subscriptions?: SubscriptionRef[];
    customers?: string[];
    /** Wait for the customers' admission locks instead of skipping those held elsewhere (a refill). */
    waitForLocks?: boolean;
    fast: boolean;
    maxSubscriptions?: number;
    parents?: Map<string, TraceContext>;
  },
): Promise<Admitted[]> {
  if (opts.customers?.length === 0) return [];
  if (!ctx.config.distributed)
    return admitIn(ctx, q, {
      ...opts,
      subscriptionIds: opts.subscriptions?.map((s) => s.id),
      customerIds: opts.customers,
    });
  const byCustomer = new Map<string, string[] | undefined>();
  if (opts.customers) {
    for (const c of opts.customers) byCustomer.set(c, undefined);
  } else if (opts.subscriptions) {
    for (const s of opts.subscriptions) byCustomer.set(s.customerId, [...(byCustomer.get(s.customerId) ?? []), s.id]);
  } else {
    // The dispatcher's worklist spans customers: which customers have a backlog (one scan of every
    // shard's small partial index), then each customer's windows on its own shard.
    const rows = await rawClient(q)<{ customer_id: string }[]>`
      select distinct customer_id from subscriptions where backlog and active limit ${opts.maxSubscriptions ?? 100000}`;
    for (const r of rows) byCustomer.set(r.customer_id, undefined);
  }
  const admitted: Admitted[] = [];
  // In customer order: a refill waits for each customer's admission lock in turn, never in a cycle.
  for (const [customerId, subscriptionIds] of [...byCustomer].sort(([a], [b]) => (a < b ? -1 : 1)))
    admitted.push(...(await admitIn(ctx, q, { ...opts, subscriptionIds, customerId })));
  return admitted;
}

async function admitIn(
  ctx: Ctx,
  q: Queryable,
  opts: {
    subscriptionIds?: string[] | undefined;
    customerIds?: string[] | undefined;
    customerId?: string;
    waitForLocks?: boolean;
    fast: boolean;
    maxSubscriptions?: number;
    parents?: Map<string, TraceContext>;
  },
): Promise<Admitted[]> {
  const startedAt = tracingOn() ? Date.now() : 0;
  const sql = rawClient(q);
  const now = ctx.now().toISOString();
  const which = opts.subscriptionIds
    ? sql`s.id = any(${opts.subscriptionIds}::text[])`
    : opts.customerIds
      ? sql`s.backlog and s.customer_id = any(${opts.customerIds}::text[])`
      : sql`s.backlog`;
  const fastOnly = opts.fast ? sql`and ${fastPath(sql)}` : sql``;
  const locked = await lockCustomers(sql, await customersOf(sql, opts), opts.waitForLocks);
  if (locked.length === 0) return [];
  // One customer: every table filtered by its id, so that Citus runs the whole statement on its shard.
  const customer = (alias: string) =>
    opts.customerId ? sql`and ${sql(alias)}.customer_id = ${opts.customerId}` : sql``;
  const rows = await sql<AdmitRow[]>`
    with cand as (
      select s.id, s.customer_id, c.tier, s.breaker_state, s.breaker_probe_at, s.breaker_opened_at,
             least(s.max_in_flight, ${ctx.config.subscriptionMaxInFlight}::int) as max_in_flight,
             ${queuedIn(sql, opts.customerId)} as queued,
             -- Open, cool-down not over: is a delivery it owes its schedule due? (Only then is this read.)
             case when s.breaker_state = 'open' and s.breaker_probe_at > ${now}::timestamptz
                  then ((select count(*) from (select 1 from deliveries o
                          where o.subscription_id = s.id and o.customer_id = s.customer_id ${customer('o')}
                            and o.status = 'pending' and o.queued_at is null and o.next_attempt_at <= ${now}::timestamptz
                            and ${owedBy(sql, 'o', sql`s.breaker_opened_at`)} limit 1) w) > 0)
                  else false end as owed_due,
             case when s.rate_limit_per_second is null then null
                  else least(greatest(s.rate_limit_per_second, 1),
                             coalesce(s.rate_tokens, greatest(s.rate_limit_per_second, 1))
                             + extract(epoch from (${now}::timestamptz - coalesce(s.rate_updated_at, ${now}::timestamptz))) * s.rate_limit_per_second)
             end as tokens
      from subscriptions s join customers c on c.id = s.customer_id
      where s.active and ${which} ${fastOnly} ${customer('s')} and s.customer_id = any(${locked}::text[])
      limit ${opts.maxSubscriptions ?? 100000}
    ), cust as (
      -- The customer's cap of attempts in flight, shared by all its subscriptions' windows. (One
      -- customer, as on Citus: counted without correlation, so the statement stays on its shard.)
      ${
        opts.customerId
          ? sql`select ${opts.customerId}::text as customer_id, greatest(0, ${ctx.config.customerMaxInFlight}::int - (select count(*) from deliveries q
                  where q.customer_id = ${opts.customerId} and q.queued_at is not null and q.status = 'pending')::int) as room`
          : sql`select cc.customer_id, greatest(0, ${ctx.config.customerMaxInFlight}::int - ${customerQueued(sql, 'cc')}) as room
                from (select distinct customer_id from cand) cc`
      }
    ), wanted as (
      select id, customer_id, tier, breaker_state, breaker_opened_at, tokens,
             case
               when breaker_state = 'closed' then greatest(0, least(max_in_flight - queued, coalesce(floor(tokens)::int, max_in_flight)))
               when breaker_state = 'open' and (breaker_probe_at <= ${now}::timestamptz or owed_due) and queued = 0 then least(1, coalesce(floor(tokens)::int, 1))
               else 0
             end as n,
             -- A probe sent before the cool-down's end is one the schedule asked for: only an owed delivery may be it.
             breaker_state = 'open' and breaker_probe_at > ${now}::timestamptz as owed_only
      from cand
    ), slots as (
      -- The customer's room goes to its subscriptions in a random order each time, so no window
      -- is always served last.
      select w.*, least(w.n, greatest(0, cu.room - coalesce(sum(w.n) over (partition by w.customer_id order by random() rows between unbounded preceding and 1 preceding), 0)))::int as take
      from wanted w join cust cu on cu.customer_id = w.customer_id
      where w.n > 0
    ), picked as (
      select d.id, d.attempt_count, d.priority, sl.id as subscription_id, sl.customer_id, sl.tier, sl.breaker_state = 'open' as probe, sl.tokens
      from slots sl cross join lateral (
        select x.id, x.attempt_count, x.priority from deliveries x
        where x.subscription_id = sl.id and x.customer_id = sl.customer_id ${customer('x')}
          and x.status = 'pending' and x.queued_at is null and x.next_attempt_at <= ${now}::timestamptz
          and (not sl.owed_only or ${owedBy(sql, 'x', sql`sl.breaker_opened_at`)})
          and (x.ordering_key is null or ${laneHead(sql, 'x', opts.customerId)})
        -- The backlog index's own order (its priority is DESC NULLS LAST; plain DESC would not match it,
        -- and the whole backlog of the subscription would be sorted at every refill).
        order by x.priority desc nulls last, x.next_attempt_at, x.id
        limit sl.take
        for update skip locked
      ) d
      where sl.take > 0
    )
    update deliveries d set queued_at = ${now}::timestamptz, cycle_started_at = ${laneCycleStart(sql, now)}
    from picked p where d.id = p.id and d.customer_id = p.customer_id ${customer('d')}
    returning d.id, d.event_id, d.attempt_count, d.priority, p.subscription_id, p.customer_id, p.tier, p.probe, p.tokens`;
  if (rows.length === 0) return [];
  await enqueueAdmitted(ctx, q, rows, opts.fast ? 'fast' : 'dispatcher', startedAt, opts.parents);
  if (!opts.fast) {
    // Spend the rate tokens of what was admitted (the bucket as refilled above, less what it let
    // in); a probe moves the breaker to half-open (breaker.ts).
    const perSub = new Map<string, { n: number; tokens: number | null; customerId: string }>();
    for (const r of rows)
      perSub.set(r.subscription_id, {
        n: (perSub.get(r.subscription_id)?.n ?? 0) + 1,
        tokens: r.tokens,
        customerId: r.customer_id,
      });
    const ids = [...perSub.keys()];
    const customerIds = [...perSub.values()].map((v) => v.customerId);
    const remaining = [...perSub.values()].map((v) => (v.tokens === null ? null : String(v.tokens - v.n)));
    await sql`
      update subscriptions s set
        rate_tokens = u.remaining::float8,
        rate_updated_at = case when u.remaining is null then s.rate_updated_at else ${now}::timestamptz end
      from unnest(${ids}::text[], ${customerIds}::text[], ${remaining}::text[]) as u(id, customer_id, remaining)
      where s.id = u.id and s.customer_id = u.customer_id ${customer('s')}`;
    await probeAdmitted(q, [
      ...new Map(
        rows
          .filter((r) => r.probe)
          .map((r) => [r.subscription_id, { id: r.subscription_id, customerId: r.customer_id }]),
      ).values(),
    ]);
  }
  return rows.map((r) => ({ id: r.id, subscriptionId: r.subscription_id }));
}

/** The customers an admission may fill windows for: named, or those of the named subscriptions, or every customer with a backlog. */
async function customersOf(
  sql: Sql,
  opts: {
    subscriptionIds?: string[] | undefined;
    customerIds?: string[] | undefined;
    customerId?: string;
    maxSubscriptions?: number;
  },
) {
  if (opts.customerId) return [opts.customerId];
  if (opts.customerIds) return opts.customerIds;
  const rows = opts.subscriptionIds
    ? await sql<
        { customer_id: string }[]
      >`select distinct customer_id from subscriptions where id = any(${opts.subscriptionIds}::text[])`
    : await sql<
        { customer_id: string }[]
      >`select distinct customer_id from subscriptions where backlog and active limit ${opts.maxSubscriptions ?? 100000}`;
  return rows.map((r) => r.customer_id);
}

/**
 * Admission at insert (PostgreSQL): for each of `subs` the fast path may fill, how many slots its
 * window has free and whether deliveries of it wait in the table, read before its new deliveries
 * are written, so that those admitted are inserted queued: one row version each (inserting and
 * then admitting would write two: `queued_at` is in index predicates, so that update is never HOT).
 * A subscription with deliveries waiting is not filled here:
 * its window fills oldest first (`admit`), so a new event does not overtake its backlog. Read
 * without locks, like the fast path: concurrent publishes may overshoot a window by a few.
 */
export async function windowRoom(ctx: Ctx, q: Queryable, subs: SubscriptionRef[]): Promise<Map<string, WindowRoom>> {
  if (subs.length === 0) return new Map();
  const sql = rawClient(q);
  const customers = [...new Set(subs.map((s) => s.customerId))];
  const locked = await lockCustomers(sql, customers);
  if (locked.length === 0) return new Map();
  const rows = await sql<
    { id: string; customer_id: string; tier: string; room: number; waiting: boolean; customer_room: number }[]
  >`
    select s.id, s.customer_id, c.tier, ${waiting(sql)} as waiting,
           greatest(0, least(s.max_in_flight, ${ctx.config.subscriptionMaxInFlight}::int) - ${queuedIn(sql)}) as room,
           greatest(0, ${ctx.config.customerMaxInFlight}::int - ${customerQueued(sql, 's')}) as customer_room
    from subscriptions s join customers c on c.id = s.customer_id
    where s.id = any(${subs.map((s) => s.id)}::text[]) and s.customer_id = any(${customers}::text[])
      and s.active and ${fastPath(sql)} and s.customer_id = any(${locked}::text[])`;
  const customerRooms = new Map<string, { room: number }>();
  for (const r of rows)
    if (!customerRooms.has(r.customer_id)) customerRooms.set(r.customer_id, { room: r.customer_room });
  return new Map(
    rows.map((r) => [
      r.id,
      { room: r.room, waiting: r.waiting, tier: r.tier, customer: customerRooms.get(r.customer_id)! },
    ]),
  );
}

/** A window's free slots at insert, and its customer's (shared by all the customer's windows: take from both). */
export type WindowRoom = { room: number; waiting: boolean; tier: string; customer: { room: number } };
