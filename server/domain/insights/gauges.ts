import { rawClient } from '../../db/client';
import { catalog } from '../../queue/catalog';
import type { Ctx } from '../context';
import { READY_WITHIN_MS } from '../upkeep/heartbeats';

/**
 * Database-derived gauges for /api/metrics: queue depth by state, the oldest due delivery per
 * customer, breaker states, bulk replays running, live workers, pg-boss queue counts.
 *
 * Every query is cheap by construction, whatever the size of the retention window: counts run over
 * partial indexes whose rows are the small sets being counted (backlog, window, held, dead) and stop
 * at DEPTH_CAP (a gauge at the cap means "at least"); the oldest-due scan reads one entry of the
 * backlog index per backlogged subscription; breaker states read the partial index of non-closed breakers. The web
 * process caches the result for a few seconds (server/api/metrics.ts), so scrapers cannot load the
 * database.
 */
export const DEPTH_CAP = 100_000;
/** Customers listed in the oldest-due gauge (worst first): bounds the label set. */
const OLDEST_DUE_TOP = 20;
/**
 * The oldest-due gauge follows live traffic (priority 1). Bulk-replayed deliveries (priority 0) wait
 * behind live traffic by design and show in the depth gauges instead, so a running "replay all"
 * does not look like a delivery outage.
 */
const LIVE = 1;

export type DatabaseGauges = {
  deliveries: { pending: number; due: number; queued: number; held: number; dead: number };
  oldestDue: Array<{ customerId: string; ageSeconds: number }>;
  breakers: { closed: number; open: number; half_open: number };
  bulkReplaysRunning: number;
  workers: { live: number; stopping: number; inFlight: number };
  queues: Array<{ queue: string; ready: number; deferred: number; active: number; failed: number }>;
};

export async function readDatabaseGauges(ctx: Ctx): Promise<DatabaseGauges> {
  const sql = rawClient(ctx.db);
  const capped = (where: ReturnType<typeof sql>) =>
    sql`(select count(*)::int from (select 1 from deliveries where ${where} limit ${DEPTH_CAP}) x)`;
  const [counts] = await sql<
    { pending: number; due: number; queued: number; held: number; dead: number; replays: number; active_subs: number }[]
  >`
    select ${capped(sql`status = 'pending' and queued_at is null`)} as pending,
           ${capped(sql`status = 'pending' and queued_at is null and next_attempt_at <= now()`)} as due,
           ${capped(sql`queued_at is not null`)} as queued,
           ${capped(sql`status = 'held'`)} as held,
           ${capped(sql`status = 'dead'`)} as dead,
           (select count(*)::int from bulk_replays where status = 'running') as replays,
           (select count(*)::int from subscriptions where active) as active_subs`;
  const oldest = await sql<{ customer_id: string; age: number }[]>`
    with waiting as (
      select s.customer_id, x.next_attempt_at
      from (select id, customer_id from subscriptions where backlog limit 10000) s
      cross join lateral (
        select d.next_attempt_at from deliveries d
        where d.subscription_id = s.id and d.customer_id = s.customer_id and d.status = 'pending' and d.queued_at is null and d.priority = ${LIVE}
        order by d.priority desc, d.next_attempt_at limit 1
      ) x
    ), queued as (
      select customer_id, min(next_attempt_at) as next_attempt_at
      from (select customer_id, next_attempt_at from deliveries where queued_at is not null and priority = ${LIVE} limit ${DEPTH_CAP}) q
      group by customer_id
    )
    select customer_id, extract(epoch from now() - min(next_attempt_at))::float8 as age
    from (select * from waiting union all select * from queued) u
    where next_attempt_at <= now()
    group by customer_id
    order by age desc
    limit ${OLDEST_DUE_TOP}`;
  const breakers = await sql<{ state: 'open' | 'half_open'; n: number }[]>`
    select breaker_state as state, count(*)::int as n from subscriptions where breaker_state <> 'closed' and active group by 1`;
  const [workers] = await sql<{ live: number; stopping: number; in_flight: number }[]>`
    select count(*)::int as live, count(*) filter (where stopping_at is not null)::int as stopping, coalesce(sum(in_flight), 0)::int as in_flight
    from worker_heartbeats where last_seen_at > now() - make_interval(secs => ${READY_WITHIN_MS / 1000})`;
  // pg-boss keeps per-queue counts in its queue table (refreshed by the workers' monitor): no job scan.
  const names: string[] = Object.values(catalog).map((c) => c.name);
  const queues = (await ctx.boss.getQueues(names)).map((q) => ({
    queue: q.name,
    ready: q.readyCount,
    deferred: q.deferredCount,
    active: q.activeCount,
    failed: q.failedCount,
  }));

  const open = breakers.find((b) => b.state === 'open')?.n ?? 0;
  const halfOpen = breakers.find((b) => b.state === 'half_open')?.n ?? 0;
  const c = counts!;
  return {
    deliveries: { pending: c.pending, due: c.due, queued: c.queued, held: c.held, dead: c.dead },
    oldestDue: oldest.map((o) => ({
      customerId: o.customer_id,
      ageSeconds: Math.max(0, Math.round(o.age * 1000) / 1000),
    })),
    breakers: { closed: Math.max(0, c.active_subs - open - halfOpen), open, half_open: halfOpen },
    bulkReplaysRunning: c.replays,
    workers: { live: workers?.live ?? 0, stopping: workers?.stopping ?? 0, inFlight: workers?.in_flight ?? 0 },
    queues,
  };
}
