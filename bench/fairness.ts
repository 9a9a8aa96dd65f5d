/**
 * `pnpm bench fairness`: the brief's two probing scenarios, with time compressed 10× (one
 * "minute" = 6 s of real time; response times, timeouts, retry delays and breaker cool-downs scaled
 * alike), against real worker processes, a real receiver process and PostgreSQL.
 *
 *  B. An endpoint goes from 100 ms to 30 s responses for 10 minutes, then back: per minute, its
 *     queue depth, dispatch rate, outcomes and breaker state, and the other customers' latency.
 *  A. "Replay all" on 10,000 dead letters: progress over time while another customer's live
 *     traffic flows; a second click; a too-early third click.
 *  C. 100,000 queued deliveries for one stuck customer: other customers' throughput with and
 *     without that backlog, and the same backlog as ready pg-boss jobs (what flow control avoids).
 */
import { and, eq, sql } from 'drizzle-orm';
import { PgBoss } from 'pg-boss';
import { deliveries, events, subscriptions } from '../drizzle/schema';
import { migrateDatabase } from '../server/migrate';
import { platformScope, customerScope, type Ctx } from '../server/domain/context';
import { createCustomer } from '../server/domain/tenants/customers';
import { DomainError } from '../server/domain/errors';
import { publishEvent } from '../server/domain/events/publish';
import { deliveryIdOf, newId } from '../server/domain/ids';
import { createBulkReplay, getBulkReplay } from '../server/domain/replay/bulk';
import { createSubscription } from '../server/domain/subscriptions/subscription-changes';
import { benchContext } from './lib/context';
import { benchDatabase, saveResult, sleep, startReceiverProcess, startWorkerProcess, stopProcesses, type Receiver } from './lib/harness';
import { percentile, printTable } from './lib/table';

const K = 10; // time compression
const MINUTE_MS = 60_000 / K;

type Published = Map<string, number>; // event id -> publish time

function latencies(rx: Receiver, published: Published, from: number, to: number): number[] {
  const out: number[] = [];
  for (const a of rx.arrivals) {
    if (a.at < from || a.at >= to) continue;
    const t = published.get(a.id);
    if (t !== undefined) out.push(a.at - t);
  }
  return out;
}

/** Publishes `perSecond` events/s for each customer in `customers` until `until`, recording times. */
async function publishLoop(ctx: Ctx, customers: string[], perSecond: number, until: () => boolean, published: Published) {
  const interval = 1000 / perSecond;
  await Promise.all(
    customers.map(async (customerId) => {
      let next = Date.now();
      while (!until()) {
        const t = Date.now();
        const e = await publishEvent(ctx, platformScope, { type: 'order.created', data: { at: t }, customerId });
        published.set(e.id, t);
        next += interval;
        const wait = next - Date.now();
        if (wait > 0) await sleep(wait);
      }
    }),
  );
}

async function scenarioB(ctx: Ctx, rx: Receiver) {
  const slowCustomer = await createCustomer(ctx, platformScope, { name: 'Slow endpoint' });
  const slowSub = await createSubscription(ctx, platformScope, {
    customerId: slowCustomer.id,
    url: `${rx.url}/sw/slow`,
    eventTypes: ['*'],
    timeoutMs: 15_000 / K,
    rateLimitPerSecond: 20,
    maxInFlight: 10,
  });
  const others: string[] = [];
  for (let i = 0; i < 5; i++) {
    const c = await createCustomer(ctx, platformScope, { name: `Healthy ${i}` });
    await createSubscription(ctx, platformScope, { customerId: c.id, url: `${rx.url}/ok`, eventTypes: ['*'] });
    others.push(c.id);
  }
  rx.setDelay('slow', 100);
  const published: Published = new Map();
  const slowPublished: Published = new Map();
  const start = Date.now();
  const minutes = 20;
  const end = start + minutes * MINUTE_MS;
  const phase = (m: number) => (m < 2 ? 'normal' : m < 12 ? 'slow (30 s)' : 'recovered');
  const breakerSeen: string[][] = Array.from({ length: minutes }, () => []);
  const depthAt: number[] = [];
  let stop = false;
  const loops = [
    publishLoop(ctx, others, 4, () => stop, published),
    publishLoop(ctx, [slowCustomer.id], 10, () => stop, slowPublished),
    (async () => {
      while (!stop) {
        const m = Math.floor((Date.now() - start) / MINUTE_MS);
        if (m >= minutes) break;
        rx.setDelay('slow', m >= 2 && m < 12 ? 30_000 / K : 100);
        const [s] = await ctx.db.select({ state: subscriptions.breakerState }).from(subscriptions).where(eq(subscriptions.id, slowSub.id));
        const seen = breakerSeen[m]!;
        if (s && seen.at(-1) !== s.state) seen.push(s.state);
        const [d] = await ctx.db
          .select({ n: sql<number>`count(*)::int` })
          .from(deliveries)
          .where(and(eq(deliveries.subscriptionId, slowSub.id), eq(deliveries.status, 'pending')));
        depthAt[m] = d?.n ?? 0;
        await sleep(250);
      }
    })(),
  ];
  while (Date.now() < end) await sleep(200);
  stop = true;
  await Promise.all(loops);
  // Let the tail drain, then read attempts per minute from the database.
  await sleep(3000);
  const perMinute = await ctx.db.execute<{ m: number; dispatched: number; succeeded: number; failed: number; timeouts: number }>(sql`
    select floor(extract(epoch from (started_at - ${new Date(start).toISOString()}::timestamptz)) * 1000 / ${MINUTE_MS})::int as m,
           count(*)::int as dispatched, count(*) filter (where status = 'succeeded')::int as succeeded,
           count(*) filter (where status = 'failed')::int as failed, count(*) filter (where error_class = 'timeout')::int as timeouts
    from attempts where subscription_id = ${slowSub.id} group by 1 order by 1`);
  const rows = [];
  for (let m = 0; m < minutes; m++) {
    const a = perMinute.find((r) => r.m === m);
    const from = start + m * MINUTE_MS;
    const lat = latencies(rx, published, from, from + MINUTE_MS);
    const slowPub = [...slowPublished.values()].filter((t) => t >= from && t < from + MINUTE_MS).length;
    rows.push({
      minute: m + 1,
      endpoint: phase(m),
      published: slowPub,
      'queue depth (end)': depthAt[m] ?? null,
      dispatched: a?.dispatched ?? 0,
      succeeded: a?.succeeded ?? 0,
      'timed out': a?.timeouts ?? 0,
      breaker: (breakerSeen[m] ?? []).join('→') || '—',
      'others p50 ms': percentile(lat, 50),
      'others p99 ms': percentile(lat, 99),
    });
  }
  printTable(
    `Scenario B: one endpoint 100 ms → 30 s for 10 minutes, then back (1 minute = ${MINUTE_MS / 1000} s; rate limit 20/s, window 10, timeout 15 s, all ÷${K})`,
    rows,
  );
  const [left] = await ctx.db
    .select({ n: sql<number>`count(*)::int` })
    .from(deliveries)
    .where(and(eq(deliveries.subscriptionId, slowSub.id), eq(deliveries.status, 'pending')));
  console.log(`after the run: ${left?.n ?? 0} of the slow endpoint's deliveries still pending (draining at its rate limit); none dropped`);
  return rows;
}

async function seedDead(ctx: Ctx, customerId: string, subscriptionId: string, n: number) {
  const now = new Date(Date.now() - 86400_000);
  for (let b = 0; b < n; b += 1000) {
    const evs = Array.from({ length: Math.min(1000, n - b) }, (_, i) => {
      const id = newId('event');
      return {
        id,
        customerId,
        type: 'invoice.paid',
        body: JSON.stringify({ id, type: 'invoice.paid', timestamp: now.toISOString(), data: { n: b + i } }),
        createdAt: now,
        retentionUntil: new Date(now.getTime() + 30 * 86400_000),
        fannedOutAt: now,
        deliveryCount: 1,
      };
    });
    await ctx.db.insert(events).values(evs);
    await ctx.db.insert(deliveries).values(
      evs.map((e) => ({
        id: deliveryIdOf(e.id, subscriptionId),
        eventId: e.id,
        subscriptionId,
        customerId,
        eventType: 'invoice.paid',
        status: 'dead' as const,
        attemptCount: 12,
        cycleStartedAt: now,
        completedAt: now,
        createdAt: now,
      })),
    );
  }
}

async function scenarioA(ctx: Ctx, rx: Receiver) {
  const replayer = await createCustomer(ctx, platformScope, { name: 'Replayer' });
  const sub = await createSubscription(ctx, platformScope, { customerId: replayer.id, url: `${rx.url}/ok`, eventTypes: ['*'] });
  const live = await createCustomer(ctx, platformScope, { name: 'Live neighbour' });
  await createSubscription(ctx, platformScope, { customerId: live.id, url: `${rx.url}/ok`, eventTypes: ['*'] });
  await seedDead(ctx, replayer.id, sub.id, 10_000);
  const scope = customerScope(replayer.id);
  const first = await createBulkReplay(ctx, scope, {});
  const second = await createBulkReplay(ctx, scope, {});
  const published: Published = new Map();
  const livePublished: Published = new Map();
  let stop = false;
  const loop = publishLoop(ctx, [live.id, replayer.id], 10, () => stop, livePublished);
  const rows = [];
  const start = Date.now();
  let lastT = start;
  for (;;) {
    await sleep(5000);
    const p = await getBulkReplay(ctx, scope, first.id);
    const now = Date.now();
    const lat = latencies(rx, livePublished, lastT, now);
    rows.push({
      s: Math.round((now - start) / 1000),
      status: p.status,
      total: p.total,
      enqueued: p.enqueued,
      delivered: p.delivered,
      failed: p.failed,
      'in flight': p.inFlight,
      'live p50 ms': percentile(lat, 50),
      'live p99 ms': percentile(lat, 99),
    });
    lastT = now;
    if (p.delivered + p.failed >= p.total || now - start > 300_000) break;
  }
  stop = true;
  await loop;
  void published;
  let third: string;
  try {
    const r = await createBulkReplay(ctx, scope, {});
    third = `returned ${r.id} (${r.status})`;
  } catch (err) {
    third = err instanceof DomainError ? `${err.code} (HTTP 429), Retry-After ${err.retryAfterSeconds} s` : String(err);
  }
  printTable('Scenario A: "replay all" on 10,000 dead letters (replay rate 200/s for the customer; live traffic 10/s from it and a neighbour)', rows);
  console.log(
    `second click while running: returned the same replay (${second.id === first.id ? 'same id' : 'DIFFERENT id'}, existing=${second.existing}); third click right after: ${third}`,
  );
  return { rows, secondSame: second.id === first.id, third };
}

async function healthyThroughput(ctx: Ctx, rx: Receiver, customers: string[], n: number) {
  const published: Published = new Map();
  const before = rx.arrivals.length;
  const t0 = Date.now();
  await Promise.all(
    customers.map(async (customerId, ci) => {
      for (let i = ci; i < n; i += customers.length) {
        const t = Date.now();
        const e = await publishEvent(ctx, platformScope, { type: 'order.created', data: { i }, customerId });
        published.set(e.id, t);
      }
    }),
  );
  while (rx.arrivals.filter((a) => published.has(a.id)).length < n && Date.now() - t0 < 120_000) await sleep(100);
  const mine = rx.arrivals.slice(before).filter((a) => published.has(a.id));
  const last = Math.max(...mine.map((a) => a.at));
  const lat = mine.map((a) => a.at - published.get(a.id)!);
  return { perSecond: Math.round((mine.length / (last - t0)) * 1000), p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

async function scenarioC(ctx: Ctx, rx: Receiver, url: string) {
  const healthy: string[] = [];
  for (let i = 0; i < 5; i++) {
    const c = await createCustomer(ctx, platformScope, { name: `C healthy ${i}` });
    await createSubscription(ctx, platformScope, { customerId: c.id, url: `${rx.url}/ok`, eventTypes: ['*'], maxInFlight: 50 });
    healthy.push(c.id);
  }
  const base = await healthyThroughput(ctx, rx, healthy, 3000);
  const stuck = await createCustomer(ctx, platformScope, { name: 'Stuck' });
  rx.setDelay('stuck', 20_000);
  const sub = await createSubscription(ctx, platformScope, { customerId: stuck.id, url: `${rx.url}/sw/stuck`, eventTypes: ['*'], timeoutMs: 30_000 });
  await seedDead(ctx, stuck.id, sub.id, 100_000);
  // Turn the 100,000 into pending deliveries waiting for the stuck endpoint (as a backlog would be).
  await ctx.db.execute(sql`update deliveries set status = 'pending', next_attempt_at = now(), queued_at = null where subscription_id = ${sub.id}`);
  await ctx.db.update(subscriptions).set({ backlog: true }).where(eq(subscriptions.id, sub.id));
  // A real backlog builds up over minutes and autovacuum keeps up; seeded in seconds, the table is
  // vacuumed here so the measurement is of the backlog, not of the bulk update that made it.
  await ctx.db.execute(sql`vacuum analyze deliveries`);
  await ctx.db.execute(sql`vacuum analyze events`);
  await sleep(2000);
  const withBacklog = await healthyThroughput(ctx, rx, healthy, 3000);
  const [q] = await ctx.db.execute<{ ready: number }>(
    sql`select count(*)::int as ready from pgboss.job where name = 'deliver' and state in ('created', 'retry')`,
  );

  // The same backlog as ready pg-boss jobs, for contrast: fetch+complete of other groups' jobs.
  const naive = await naivePgBoss(url);
  const rows = [
    {
      setup: 'Hookrelay, no stuck customer',
      'healthy deliveries/s': base.perSecond,
      'healthy p50 ms': base.p50,
      'healthy p99 ms': base.p99,
      'ready jobs in pg-boss': null as number | null,
    },
    {
      setup: 'Hookrelay, 100,000 queued for a stuck customer',
      'healthy deliveries/s': withBacklog.perSecond,
      'healthy p50 ms': withBacklog.p50,
      'healthy p99 ms': withBacklog.p99,
      'ready jobs in pg-boss': q?.ready ?? null,
    },
  ];
  printTable('Scenario C: 100,000 queued deliveries for one stuck customer (flow control keeps them in the deliveries table)', rows);
  printTable('Without flow control: pg-boss alone, fetch+complete of other groups (groupConcurrency 10, batch 100)', naive);
  return { rows, naive };
}

/** pg-boss only: other groups' fetch throughput with 0 vs 100,000 ready jobs of one capped group. */
async function naivePgBoss(url: string) {
  const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false, max: 4 });
  await boss.start();
  const out = [];
  for (const blocked of [0, 100_000]) {
    const q = `naive-${blocked}`;
    await boss.createQueue(q);
    for (let i = 0; i < blocked; i += 5000)
      await boss.insert(
        q,
        Array.from({ length: Math.min(5000, blocked - i) }, () => ({ data: {}, group: { id: 'stuck' } })),
      );
    // The stuck group is at its cap: 10 of its jobs active and never completed.
    if (blocked > 0) {
      for (let got = 0; got < 10;) got += (await boss.fetch(q, { batchSize: 10 - got, groupConcurrency: 10 })).length;
    }
    await boss.insert(
      q,
      Array.from({ length: 20_000 }, (_, i) => ({ data: {}, group: { id: `g${i % 20}` } })),
    );
    const t0 = Date.now();
    let done = 0;
    const fetchMs: number[] = [];
    while (done < 20_000 && Date.now() - t0 < 60_000) {
      const f0 = performance.now();
      const jobs = await boss.fetch(q, { batchSize: 100, groupConcurrency: 10 });
      fetchMs.push(performance.now() - f0);
      if (jobs.length === 0) break;
      await boss.complete(
        q,
        jobs.map((j) => j.id),
      );
      done += jobs.length;
    }
    out.push({
      'ready jobs of the stuck group': blocked,
      'other groups jobs/s': Math.round((done / (Date.now() - t0)) * 1000),
      'fetch p50 ms': percentile(fetchMs, 50),
      'fetch p99 ms': percentile(fetchMs, 99),
    });
  }
  await boss.stop({ graceful: false, close: true });
  return out;
}

export async function runFairness() {
  const db = await benchDatabase();
  await migrateDatabase(db.url);
  const rx = await startReceiverProcess();
  const env = {
    RETRY_TIME_SCALE: String(1 / K),
    BREAKER_COOLDOWN_SECONDS: '30',
    CUSTOMER_MAX_IN_FLIGHT: '10',
    REPLAY_RATE_PER_SECOND: '200',
    WORKER_CONCURRENCY: '128',
  };
  const ctx = await benchContext(db.url, { retryTimeScale: 1 / K, breakerCooldownMs: 30_000, replayRatePerSecond: 200 });
  try {
    for (let i = 0; i < 2; i++) startWorkerProcess(db.url, env);
    await sleep(3000);
    console.log('Fairness benchmark: 2 worker processes, 1 receiver process, PostgreSQL on the same 2-core machine.');
    // BENCH_SCENARIOS=BAC (default) picks which scenarios run, e.g. BENCH_SCENARIOS=C.
    const which = process.env.BENCH_SCENARIOS ?? 'BAC';
    const b = which.includes('B') ? await scenarioB(ctx, rx) : null;
    const a = which.includes('A') ? await scenarioA(ctx, rx) : null;
    const c = which.includes('C') ? await scenarioC(ctx, rx, db.url) : null;
    const file = saveResult('fairness', { scenarioB: b, scenarioA: a, scenarioC: c });
    console.log(`\nresults written to ${file}`);
  } finally {
    await stopProcesses();
    rx.stop();
    await ctx.close();
    await db.stop();
  }
}
