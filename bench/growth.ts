/**
 * `pnpm bench growth`: how cost grows with history. For each history size (default 0, 1 M and 5 M
 * deliveries, each with one attempt; two deliveries per event; 200 customers over the last 7 days),
 * seeded with set-based SQL on top of the previous size, it measures in the same run:
 *   - the dashboard's main reads for one customer, in-process (median and p95 of 15 runs each):
 *     the event list (first page), an event page (deliveries, attempts, routing) and the overview;
 *   - the delivery rate of one worker process draining a backlog of fresh pending deliveries
 *     (20 customers, receiver answering 200 at once), over a 15 s window after a 4 s warm-up.
 * The target: each figure stays within 20% of the empty database's. `--rows 0,1000000` picks sizes.
 */
import { parseArgs } from 'node:util';
import { customerScope, platformScope } from '../server/domain/context';
import { getEvent, listEvents } from '../server/domain/events/event-reads';
import { customerOverview } from '../server/domain/insights/overview';
import { listEventsInput } from '../server/domain/events/inputs';
import { createCustomer } from '../server/domain/tenants/customers';
import { createSubscription } from '../server/domain/subscriptions/subscription-changes';
import { rawClient } from '../server/db/client';
import { idFloor } from '../server/domain/ids';
import { ensurePartitions } from '../server/domain/upkeep/partitions';
import { benchContext } from './lib/context';
import { benchServers, saveResult, sleep, startWorkerProcess } from './lib/harness';
import { percentile, printTable } from './lib/table';

const DAY = 86_400_000;
const HISTORY_CUSTOMERS = 200;
const DRAIN_CUSTOMERS = 20;
const WARMUP_MS = 4000;
const WINDOW_MS = 15_000;

async function timed(runs: number, op: () => Promise<unknown>): Promise<{ p50: number | null; p95: number | null }> {
  await op(); // warm the plan and the cache once
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await op();
    ms.push(performance.now() - t);
  }
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

export async function runGrowth(argv: string[] = []) {
  const { values } = parseArgs({ args: argv, options: { rows: { type: 'string', default: '0,1000000,5000000' } } });
  const sizes = values.rows.split(',').map(Number);
  const { db, rx, stop } = await benchServers();
  const ctx = await benchContext(db.url);
  const sql = rawClient(ctx.db);
  type Row = {
    history: number;
    deliveriesRows: number;
    attemptsRows: number;
    seedSeconds: number;
    deliveriesPerSecond: number;
    delivered: number;
    eventListP50: number | null;
    eventListP95: number | null;
    eventPageP50: number | null;
    eventPageP95: number | null;
    overviewP50: number | null;
    overviewP95: number | null;
  };
  const results: Row[] = [];
  try {
    console.log('Growth benchmark: history seeded in steps, then reads and one worker measured at each size.');
    // History: customers with two subscriptions each (their URLs are never called: history is done).
    type Tenant = { customerId: string; subs: [string, string] };
    const tenant = async (name: string): Promise<Tenant> => {
      const cus = await createCustomer(ctx, platformScope, { name });
      const one = await createSubscription(ctx, platformScope, {
        customerId: cus.id,
        url: `${rx.url}/ok`,
        eventTypes: ['*'],
      });
      const two = await createSubscription(ctx, platformScope, {
        customerId: cus.id,
        url: `${rx.url}/ok`,
        eventTypes: ['*'],
      });
      return { customerId: cus.id, subs: [one.id, two.id] };
    };
    const history: Tenant[] = [];
    for (let c = 0; c < HISTORY_CUSTOMERS; c++) history.push(await tenant(`History ${c}`));
    // The customer whose dashboard reads are timed: its own history stays the same (2,000
    // deliveries) while everyone else's grows, so a flat figure means others' data costs it nothing.
    const reader = await tenant('Reader');
    // The drain: customers whose subscriptions get fresh backlogs at each size.
    const drain: Array<{ customerId: string; subscriptionId: string }> = [];
    for (let c = 0; c < DRAIN_CUSTOMERS; c++) {
      const cus = await createCustomer(ctx, platformScope, { name: `Drain ${c}` });
      const sub = await createSubscription(ctx, platformScope, {
        customerId: cus.id,
        url: `${rx.url}/ok`,
        eventTypes: ['*'],
        maxInFlight: 100,
      });
      drain.push({ customerId: cus.id, subscriptionId: sub.id });
    }

    // History spreads over the last 7 days, each with its partitions (server/domain/upkeep/partitions.ts),
    // as a week of traffic would: ids carry their day's time, so rows land in that day's partitions.
    const days = Array.from({ length: 7 }, (_, i) => Math.floor((Date.now() - (i + 1) * DAY) / DAY) * DAY);
    for (const day of days) await ensurePartitions(ctx.db, { now: new Date(day), intervalDays: 1, ahead: 0 });
    const noon = days.map((d) => d + 12 * 3600_000);
    const timePrefix = (kind: 'event' | 'delivery') => noon.map((t) => idFloor(kind, t));

    /**
     * Events [from, to) tagged `tag` (one Crockford letter) over `tenants`: two succeeded deliveries
     * each, one attempt each, on one of the last 7 days.
     */
    const seed = async (tag: string, tenants: Tenant[], from: number, to: number) => {
      await sql`
        with s as (
          select * from unnest(${tenants.map((t) => t.customerId)}::text[], ${tenants.map((t) => t.subs[0])}::text[], ${tenants.map((t) => t.subs[1])}::text[])
          with ordinality as t(cus, sub1, sub2, k)
        ),
        g as (
          select g, s.cus, s.sub1, s.sub2,
                 (${timePrefix('event')}::text[])[(g % 7)::int + 1] || ${tag}::text || lpad(g::text, 15, '0') as evt,
                 (${timePrefix('delivery')}::text[])[(g % 7)::int + 1] || ${tag}::text || lpad(g::text, 14, '0') as dlv,
                 (${noon.map((t) => new Date(t).toISOString())}::text[])[(g % 7)::int + 1]::timestamptz as at
          from generate_series(${from}::bigint, ${to - 1}::bigint) g join s on s.k = (g % ${tenants.length}::int) + 1
        ),
        e as (
          insert into events (id, customer_id, type, body, retention_until, fanned_out_at, delivery_count, created_at)
          select evt, cus, 'history.event', '{"id":"' || evt || '","type":"history.event","data":{"n":' || g || '}}',
                 at + interval '30 days', at, 2, at
          from g
        ),
        d as (
          insert into deliveries (id, event_id, subscription_id, customer_id, event_type, status, attempt_count, next_attempt_at,
                                  cycle_started_at, last_attempt_at, last_response_status, completed_at, created_at, updated_at)
          select dlv || k, evt, case k when 1 then sub1 else sub2 end, cus, 'history.event',
                 'succeeded', 1, at, at, at, 200, at, at, at
          from g cross join generate_series(1, 2) k
        )
        insert into attempts (id, delivery_id, subscription_id, customer_id, attempt_seq, trigger, status, url, request_headers,
                              response_status, latency_ms, started_at)
        select 'att_' || substr(dlv, 5) || k, dlv || k, case k when 1 then sub1 else sub2 end, cus, 1,
               'initial', 'succeeded', 'http://127.0.0.1/ok', '{"content-type":"application/json"}'::jsonb, 200, 12, at
        from g cross join generate_series(1, 2) k`;
    };
    await seed('R', [reader], 0, 1000);

    let seeded = 0;
    for (const size of sizes) {
      // History deliveries [seeded, size), in steps of 500,000.
      const t0 = Date.now();
      for (let from = seeded; from < size; from += 500_000) {
        const to = Math.min(size, from + 500_000);
        await seed('H', history, from / 2, to / 2);
        console.log(`  seeded ${to.toLocaleString()} deliveries`);
      }
      if (size > seeded) await sql`analyze`;
      const seedSeconds = (Date.now() - t0) / 1000;
      seeded = Math.max(seeded, size);

      // Reads: one customer's event list, one of its event pages, its overview.
      const scope = customerScope(reader.customerId);
      const list = await listEvents(ctx, scope, listEventsInput.parse({}));
      const someEvent = list.data[0]?.id;
      const eventList = await timed(15, () => listEvents(ctx, scope, listEventsInput.parse({})));
      const eventPage = someEvent ? await timed(15, () => getEvent(ctx, scope, someEvent)) : { p50: null, p95: null };
      const overview = await timed(15, () => customerOverview(ctx, scope, { range: 'day' }));

      // One worker draining fresh backlogs of the drain customers.
      await sql`
        with s as (select * from unnest(${drain.map((d) => d.subscriptionId)}::text[], ${drain.map((d) => d.customerId)}::text[]) with ordinality as t(sub, cus, k)),
        g as (select g, s.sub, s.cus from generate_series(1, 60000) g join s on s.k = (g % ${DRAIN_CUSTOMERS}) + 1),
        e as (
          insert into events (id, customer_id, type, body, retention_until, fanned_out_at, delivery_count)
          select ${idFloor('event', Date.now())}::text || 'D' || lpad(${size}::text, 10, '0') || lpad(g::text, 5, '0'), cus, 'drain.event',
                 '{"type":"drain.event","data":{"pad":"' || repeat('x', 900) || '"}}', now() + interval '30 days', now(), 1
          from g
        )
        insert into deliveries (id, event_id, subscription_id, customer_id, event_type, status, next_attempt_at, cycle_started_at)
        select ${idFloor('delivery', Date.now())}::text || 'D' || lpad(${size}::text, 10, '0') || lpad(g::text, 5, '0'),
               ${idFloor('event', Date.now())}::text || 'D' || lpad(${size}::text, 10, '0') || lpad(g::text, 5, '0'),
               sub, cus, 'drain.event', 'pending', now(), now() from g`;
      await sql`update subscriptions set backlog = true where customer_id = any(${drain.map((d) => d.customerId)}::text[])`;
      const worker = startWorkerProcess(db.url, { WORKER_CONCURRENCY: '256' });
      // Timed from the worker's first heartbeat (start-up takes seconds on a busy machine).
      for (const end = Date.now() + 120_000; Date.now() < end; await sleep(250)) {
        const [live] = await sql<
          { n: number }[]
        >`select count(*)::int as n from worker_heartbeats where stopping_at is null and last_seen_at > now() - interval '30 seconds'`;
        if ((live?.n ?? 0) > 0) break;
      }
      const arrivedBefore = rx.arrivals.length;
      await sleep(WARMUP_MS);
      const a = rx.arrivals.length;
      await sleep(WINDOW_MS);
      const b = rx.arrivals.length;
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
      await sql`delete from worker_heartbeats`;
      const rate = Math.round((b - a) / (WINDOW_MS / 1000));
      // What is left of the backlog joins the history; no job of it stays behind.
      await sql`delete from pgboss.job where name = 'deliver'`;
      await sql`update deliveries set status = 'succeeded', queued_at = null where status = 'pending' and event_type = 'drain.event'`;
      const [rows] = await sql<{ d: string; a: string }[]>`
        select (select sum(c.reltuples)::bigint from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'deliveries'::regclass)::text as d,
               (select sum(c.reltuples)::bigint from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'attempts'::regclass)::text as a`;
      results.push({
        history: size,
        deliveriesRows: Number(rows?.d ?? 0),
        attemptsRows: Number(rows?.a ?? 0),
        seedSeconds,
        deliveriesPerSecond: rate,
        delivered: b - arrivedBefore,
        eventListP50: eventList.p50,
        eventListP95: eventList.p95,
        eventPageP50: eventPage.p50,
        eventPageP95: eventPage.p95,
        overviewP50: overview.p50,
        overviewP95: overview.p95,
      });
      console.log(
        `  ${size.toLocaleString()} history: ${rate} deliveries/s, event list p50 ${eventList.p50?.toFixed(1)} ms`,
      );
    }
    const base = results[0]!;
    const vs = (v: number | null, b: number | null) => (v === null || !b ? null : `${((v / b) * 100).toFixed(0)}%`);
    printTable(
      'Growth (same run; ratio = against the first size)',
      results.map((r) => ({
        'history (deliveries)': r.history,
        'deliveries/s, 1 worker': r.deliveriesPerSecond,
        ratio: vs(r.deliveriesPerSecond, base.deliveriesPerSecond),
        'event list p50 ms': r.eventListP50 === null ? null : Number(r.eventListP50.toFixed(1)),
        'ratio ': vs(r.eventListP50, base.eventListP50),
        'event page p50 ms': r.eventPageP50 === null ? null : Number(r.eventPageP50.toFixed(1)),
        ' ratio': vs(r.eventPageP50, base.eventPageP50),
        'overview (day) p50 ms': r.overviewP50 === null ? null : Number(r.overviewP50.toFixed(1)),
        ' ratio ': vs(r.overviewP50, base.overviewP50),
      })),
    );
  } finally {
    await ctx.close();
    await stop();
  }
  console.log(`results written to ${saveResult('growth', results)}`);
}
