import type { Sql } from 'postgres';
import { rawClient, type Queryable } from '../../db/client';
import { metrics } from '../../metrics';
import { enqueueMany } from '../../queue/boss';
import { DELIVER_JOB_MAX_ATTEMPTS, type JobPayload } from '../../queue/catalog';
import type { Ctx } from '../context';
import { probeAdmitted } from './breaker';
import { contextFrom, traceparentOf, type TraceContext } from '../../tracing-context';
import { endSpan, startAdmissionSpan, type AdmissionPath, type TraceSpan } from '../../tracing-spans';
import { tracingOn } from '../../tracing';

/**
 * Flow control: how deliveries move from our `deliveries` table into pg-boss.
 *
 * A subscription has a window of `max_in_flight` queued deliveries (at most SUBSCRIPTION_MAX_IN_FLIGHT,
 * whatever an older row says) (those with a job, `queued_at`
 * set). Everything else that is pending waits in the table, live traffic ahead of bulk replays,
 * so one stuck customer's backlog never becomes a pile of ready jobs that slows every fetch
 * (`pnpm bench fairness`, scenario C: 100,000 ready jobs of one capped group cut other groups'
 * fetch throughput by more than half). `admit` fills windows, oldest due first:
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

/** A subscription to admit for, with its customer (the sharding key). */
export type SubscriptionRef = { id: string; customerId: string };

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
  if (!ctx.config.distributed) return admitIn(ctx, q, { ...opts, subscriptionIds: opts.subscriptions?.map((s) => s.id), customerIds: opts.customers });
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
  const customer = (alias: string) => (opts.customerId ? sql`and ${sql(alias)}.customer_id = ${opts.customerId}` : sql``);
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
    const perSub = new Map<string, { n: number; tokens: number | null }>();
    for (const r of rows) perSub.set(r.subscription_id, { n: (perSub.get(r.subscription_id)?.n ?? 0) + 1, tokens: r.tokens });
    const ids = [...perSub.keys()];
    const remaining = [...perSub.values()].map((v) => (v.tokens === null ? null : String(v.tokens - v.n)));
    await sql`
      update subscriptions s set
        rate_tokens = u.remaining::float8,
        rate_updated_at = case when u.remaining is null then s.rate_updated_at else ${now}::timestamptz end
      from unnest(${ids}::text[], ${remaining}::text[]) as u(id, remaining)
      where s.id = u.id ${customer('s')}`;
    await probeAdmitted(q, [
      ...new Map(rows.filter((r) => r.probe).map((r) => [r.subscription_id, { id: r.subscription_id, customerId: r.customer_id }])).values(),
    ]);
  }
  return rows.map((r) => ({ id: r.id, subscriptionId: r.subscription_id }));
}

/** The customers an admission may fill windows for: named, or those of the named subscriptions, or every customer with a backlog. */
async function customersOf(
  sql: Sql,
  opts: { subscriptionIds?: string[] | undefined; customerIds?: string[] | undefined; customerId?: string; maxSubscriptions?: number },
) {
  if (opts.customerId) return [opts.customerId];
  if (opts.customerIds) return opts.customerIds;
  const rows = opts.subscriptionIds
    ? await sql<{ customer_id: string }[]>`select distinct customer_id from subscriptions where id = any(${opts.subscriptionIds}::text[])`
    : await sql<{ customer_id: string }[]>`select distinct customer_id from subscriptions where backlog and active limit ${opts.maxSubscriptions ?? 100000}`;
  return rows.map((r) => r.customer_id);
}

/** A delivery just admitted into its subscription's window (its `queued_at` set), to get its job. */
export type AdmittedRow = {
  id: string;
  event_id: string;
  attempt_count: number;
  priority: number;
  subscription_id: string;
  customer_id: string;
  tier: string;
  probe: boolean;
};

/**
 * The jobs of deliveries admitted in the caller's transaction (their `queued_at` set there): one job
 * per customer and priority (split at DELIVER_JOB_MAX_ATTEMPTS), in the customer's group of the
 * deliver queue, with the admission spans when tracing is on.
 */
export async function enqueueAdmitted(
  ctx: Ctx,
  q: Queryable,
  rows: AdmittedRow[],
  path: 'fast' | 'dispatcher',
  startedAt: number,
  parents?: Map<string, TraceContext>,
): Promise<void> {
  if (rows.length === 0) return;
  metrics.deliveriesAdmitted.inc({ path }, rows.length);
  const spans = tracingOn() ? await admissionSpans(q, rows, startedAt, parents, (r) => (r.probe ? 'probe' : path)) : null;
  await enqueueMany(ctx.boss, 'deliver', deliverJobs(rows, spans), q);
  spans?.forEach((s) => endSpan(s));
}

/** Admitted rows as deliver jobs: grouped by customer and priority, in admission order, at most DELIVER_JOB_MAX_ATTEMPTS each. */
export function deliverJobs(rows: AdmittedRow[], spans?: Array<TraceSpan | undefined> | null) {
  type Group = { customerId: string; tier: string; priority: number; deliveries: JobPayload<'deliver'>['deliveries'] };
  const toJob = (g: Group) => ({
    data: { customerId: g.customerId, deliveries: g.deliveries },
    priority: g.priority,
    group: { id: g.customerId, tier: g.tier },
  });
  const groups = new Map<string, Group>();
  const jobs: Array<ReturnType<typeof toJob>> = [];
  rows.forEach((r, i) => {
    const key = `${r.customer_id}|${r.priority}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { customerId: r.customer_id, tier: r.tier, priority: r.priority, deliveries: [] }));
    const traceparent = spans?.[i] && traceparentOf(spans[i]);
    g.deliveries.push({ id: r.id, attempt: r.attempt_count + 1, ...(traceparent && { traceparent }) });
    if (g.deliveries.length === DELIVER_JOB_MAX_ATTEMPTS) {
      jobs.push(toJob(g));
      groups.delete(key);
    }
  });
  for (const g of groups.values()) jobs.push(toJob(g));
  return jobs;
}

/**
 * Admission at insert (PostgreSQL): for each of `subs` the fast path may fill, how many slots its
 * window has free and whether deliveries of it wait in the table, read before its new deliveries
 * are written, so that those admitted are inserted queued: one row version each, where inserting
 * and then admitting wrote two (`queued_at` is in index predicates, so that update is never HOT),
 * and half a fan-out's time went to it. A subscription with deliveries waiting is not filled here:
 * its window fills oldest first (`admit`), so a new event does not overtake its backlog. Read
 * without locks, like the fast path: concurrent publishes may overshoot a window by a few.
 */
export async function windowRoom(ctx: Ctx, q: Queryable, subs: SubscriptionRef[]): Promise<Map<string, WindowRoom>> {
  if (subs.length === 0) return new Map();
  const sql = rawClient(q);
  const customers = [...new Set(subs.map((s) => s.customerId))];
  const locked = await lockCustomers(sql, customers);
  if (locked.length === 0) return new Map();
  const rows = await sql<{ id: string; customer_id: string; tier: string; room: number; waiting: boolean; customer_room: number }[]>`
    select s.id, s.customer_id, c.tier, ${waiting(sql)} as waiting,
           greatest(0, least(s.max_in_flight, ${ctx.config.subscriptionMaxInFlight}::int) - ${queuedIn(sql)}) as room,
           greatest(0, ${ctx.config.customerMaxInFlight}::int - ${customerQueued(sql, 's')}) as customer_room
    from subscriptions s join customers c on c.id = s.customer_id
    where s.id = any(${subs.map((s) => s.id)}::text[]) and s.customer_id = any(${customers}::text[])
      and s.active and ${fastPath(sql)} and s.customer_id = any(${locked}::text[])`;
  const customerRooms = new Map<string, { room: number }>();
  for (const r of rows) if (!customerRooms.has(r.customer_id)) customerRooms.set(r.customer_id, { room: r.customer_room });
  return new Map(rows.map((r) => [r.id, { room: r.room, waiting: r.waiting, tier: r.tier, customer: customerRooms.get(r.customer_id)! }]));
}

/** A window's free slots at insert, and its customer's (shared by all the customer's windows: take from both). */
export type WindowRoom = { room: number; waiting: boolean; tier: string; customer: { room: number } };

/**
 * Tracing on: one admission span per admitted delivery, under `parents`' span for its event or else
 * under the event's publish, whose stored traceparent is read here (one query, only when tracing).
 */
async function admissionSpans(
  q: Queryable,
  rows: Array<{ id: string; event_id: string; attempt_count: number; subscription_id: string; customer_id: string; probe: boolean }>,
  startedAt: number,
  parents: Map<string, TraceContext> | undefined,
  pathOf: (r: { probe: boolean }) => AdmissionPath,
): Promise<Array<TraceSpan | undefined>> {
  const stored = await eventTraceParents(
    q,
    rows.filter((r) => !parents?.has(r.event_id)).map((r) => r.event_id),
  );
  return rows.map((r) =>
    startAdmissionSpan(parents?.get(r.event_id) ?? contextFrom(stored.get(r.event_id)), startedAt, {
      deliveryId: r.id,
      eventId: r.event_id,
      subscriptionId: r.subscription_id,
      customerId: r.customer_id,
      attempt: r.attempt_count + 1,
      path: pathOf(r),
    }),
  );
}

/** The stored publish traceparent of each of `eventIds` that has one (tracing on only). */
export async function eventTraceParents(q: Queryable, eventIds: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(eventIds)];
  if (ids.length === 0) return new Map();
  const rows = await rawClient(q)<Array<{ id: string; trace_parent: string }>>`
    select id, trace_parent from events where id = any(${ids}::text[]) and trace_parent is not null`;
  return new Map(rows.map((r) => [r.id, r.trace_parent]));
}

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
async function lockCustomers(sql: Sql, customerIds: string[], wait = false): Promise<string[]> {
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
const customerQueued = (sql: Sql, alias: string) =>
  sql`(select count(*) from deliveries q where q.customer_id = ${sql(alias)}.customer_id and q.queued_at is not null and q.status = 'pending')::int`;

/** How many deliveries of subscription `s` hold a slot of its window (queued: they have a job). */
const queuedIn = (sql: Sql, customerId?: string) =>
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
const laneHead = (sql: Sql, alias: string, customerId?: string) =>
  sql`not exists (select 1 from deliveries y
        where y.customer_id = ${sql(alias)}.customer_id and y.subscription_id = ${sql(alias)}.subscription_id
          and y.ordering_key = ${sql(alias)}.ordering_key ${customerId ? sql`and y.customer_id = ${customerId}` : sql``}
          and (y.status in ('pending', 'held') or y.lane_hold)
          and (y.event_id < ${sql(alias)}.event_id or y.queued_at is not null))`;

/**
 * A keyed delivery's retry window starts when it leaves its lane for its first attempt of the cycle,
 * not when it was published: time spent behind a failing head is not taken from its own retries.
 */
const laneCycleStart = (sql: Sql, now: string) =>
  sql`case when d.ordering_key is not null and d.attempt_count = d.cycle_start then ${now}::timestamptz else d.cycle_started_at end`;

/** Subscriptions `s` the fast path may fill: no rate tokens to spend, breaker closed (the dispatcher takes the rest). */
const fastPath = (sql: Sql) => sql`s.rate_limit_per_second is null and s.breaker_state = 'closed'`;

/**
 * "Some delivery of subscription `s` waits in the table", written as a scalar subquery with LIMIT 1
 * so PostgreSQL evaluates it per subscription through the backlog index. (As EXISTS it may be
 * turned into an anti-join that hashes a whole 100,000-row backlog when statistics are stale.)
 */
const waiting = (sql: Sql, customerId?: string) =>
  sql`((select count(*) from (select 1 from deliveries d where d.subscription_id = s.id and d.customer_id = s.customer_id ${customerId ? sql`and d.customer_id = ${customerId}` : sql``} and d.status = 'pending' and d.queued_at is null limit 1) w) > 0)`;

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

const DISPATCH_LOCK = 0x686f6f6b; // 'hook': one dispatcher at a time across all workers

/**
 * One dispatcher tick: fills every backlogged subscription's window (rate limits and breaker probes
 * included), then clears the backlog flag of subscriptions with nothing left waiting. Returns the
 * number admitted, or null when another worker holds the dispatcher lock.
 */
export async function dispatchTick(ctx: Ctx): Promise<number | null> {
  return ctx.db.transaction(async (tx) => {
    const sql = rawClient(tx);
    const [lock] = await sql<{ ok: boolean }[]>`select pg_try_advisory_xact_lock(${DISPATCH_LOCK}) as ok`;
    if (!lock?.ok) return null;
    const admitted = await admit(ctx, tx, { fast: false, maxSubscriptions: 2000 });
    await sql`update subscriptions s set backlog = false where s.backlog and not ${waiting(sql)}`;
    return admitted.length;
  });
}

/**
 * Self-healing, every few seconds: re-flags subscriptions with waiting deliveries (a flag cleared by
 * a dispatcher tick racing a concurrent publish is set again here), and releases window slots held
 * by deliveries whose job vanished (queued for longer than any job can live: pg-boss gave up on it).
 */
export async function sweep(ctx: Ctx, staleAfterMs: number): Promise<{ reflagged: number; released: number }> {
  const sql = rawClient(ctx.db);
  const now = ctx.now();
  const stale = new Date(now.getTime() - staleAfterMs).toISOString();
  if (ctx.config.distributed) {
    // Citus runs neither the recursive skip-scan nor a data-modifying CTE across shards: each shard
    // checks its own subscriptions (the subquery joins on customer_id, so it stays on the shard).
    const reflagged = await sql`update subscriptions s set backlog = true where not s.backlog and ${waiting(sql)}`;
    const freed = await sql<{ subscription_id: string; customer_id: string }[]>`
      update deliveries set queued_at = null where status = 'pending' and queued_at < ${stale}::timestamptz returning subscription_id, customer_id`;
    const subs = [...new Map(freed.map((f) => [f.subscription_id, f])).values()];
    if (subs.length)
      await sql`
        update subscriptions s set backlog = true
        from unnest(${subs.map((f) => f.subscription_id)}::text[], ${subs.map((f) => f.customer_id)}::text[]) as x(id, customer_id)
        where s.id = x.id and s.customer_id = x.customer_id`;
    return { reflagged: reflagged.count, released: freed.length };
  }
  const reflagged = await sql`
    with recursive subs as (
      (select subscription_id from deliveries where status = 'pending' and queued_at is null order by subscription_id limit 1)
      union all
      select (select d.subscription_id from deliveries d where d.status = 'pending' and d.queued_at is null and d.subscription_id > subs.subscription_id order by d.subscription_id limit 1)
      from subs where subs.subscription_id is not null
    )
    update subscriptions s set backlog = true from subs where s.id = subs.subscription_id and not s.backlog`;
  const released = await sql`
    with r as (
      update deliveries set queued_at = null where status = 'pending' and queued_at < ${stale}::timestamptz returning subscription_id
    )
    update subscriptions s set backlog = true from (select distinct subscription_id from r) x where s.id = x.subscription_id`;
  return { reflagged: reflagged.count, released: released.count };
}

/**
 * Admits one delivery now, past its subscription's open circuit breaker, as the breaker's probe
 * (half-open): a manual replay after the endpoint was fixed does not wait for the cool-down. Its
 * outcome closes the breaker (healthy) or re-opens it (unhealthy), like any probe.
 */
export async function admitProbe(ctx: Ctx, q: Queryable, delivery: { id: string; customerId: string }, parent?: TraceContext): Promise<boolean> {
  const startedAt = tracingOn() ? Date.now() : 0;
  const sql = rawClient(q);
  const now = ctx.now().toISOString();
  const rows = await sql<
    Array<{ id: string; event_id: string; attempt_count: number; priority: number; customer_id: string; tier: string; subscription_id: string }>
  >`
    update deliveries d set queued_at = ${now}::timestamptz, cycle_started_at = ${laneCycleStart(sql, now)}
    from subscriptions s join customers c on c.id = s.customer_id
    where d.id = ${delivery.id} and d.customer_id = ${delivery.customerId} and s.id = d.subscription_id and s.customer_id = d.customer_id
      and s.active and d.status = 'pending' and d.queued_at is null and (d.ordering_key is null or ${laneHead(sql, 'd', delivery.customerId)})
    returning d.id, d.event_id, d.attempt_count, d.priority, d.customer_id, c.tier, d.subscription_id`;
  const r = rows[0];
  if (!r) return false;
  const spans = tracingOn() ? await admissionSpans(q, [{ ...r, probe: true }], startedAt, parent && new Map([[r.event_id, parent]]), () => 'probe') : null;
  await enqueueMany(ctx.boss, 'deliver', deliverJobs([{ ...r, probe: true }], spans), q);
  spans?.forEach((s) => endSpan(s));
  await probeAdmitted(q, [{ id: r.subscription_id, customerId: r.customer_id }]);
  metrics.deliveriesAdmitted.inc({ path: 'probe' });
  return true;
}
