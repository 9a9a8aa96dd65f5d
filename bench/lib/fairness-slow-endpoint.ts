/**
 * `pnpm bench fairness`, scenario B: an endpoint goes from 100 ms to 30 s responses for 10 minutes,
 * then back: per minute, its queue depth, dispatch rate, outcomes and breaker state, and the other
 * customers' latency.
 */
import { and, eq, sql } from 'drizzle-orm';
import { deliveries, subscriptions } from '../../drizzle/schema';
import { platformScope, type Ctx } from '../../server/domain/context';
import { createCustomer } from '../../server/domain/tenants/customers';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { K, MINUTE_MS, latencies, publishLoop, type Published } from './fairness-load';
import { sleep, type Receiver } from './harness';
import { percentile, printTable } from './table';

export async function scenarioB(ctx: Ctx, rx: Receiver) {
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
        const [s] = await ctx.db
          .select({ state: subscriptions.breakerState })
          .from(subscriptions)
          .where(eq(subscriptions.id, slowSub.id));
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
  const perMinute = await ctx.db.execute<{
    m: number;
    dispatched: number;
    succeeded: number;
    failed: number;
    timeouts: number;
  }>(sql`
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
  console.log(
    `after the run: ${left?.n ?? 0} of the slow endpoint's deliveries still pending (draining at its rate limit); none dropped`,
  );
  return rows;
}
