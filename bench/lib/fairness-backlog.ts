/**
 * `pnpm bench fairness`, scenario C: 100,000 queued deliveries for one stuck customer: other
 * customers' throughput with and without that backlog, and the same backlog as ready pg-boss jobs
 * (what flow control avoids).
 */
import { and, eq, sql } from 'drizzle-orm';
import { PgBoss } from 'pg-boss';
import { subscriptions } from '../../drizzle/schema';
import { platformScope, type Ctx } from '../../server/domain/context';
import { createCustomer } from '../../server/domain/tenants/customers';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { healthyThroughput } from './fairness-load';
import { seedDeadLetters } from '../../tests/support/seed';
import { sleep, type Receiver } from './harness';
import { percentile, printTable } from './table';

/** Dead letters of yesterday, kept for 30 days. */
const DAY_OLD = { at: new Date(Date.now() - 86400_000), keepDays: 30 };

export async function scenarioC(ctx: Ctx, rx: Receiver, url: string) {
  const healthy: string[] = [];
  for (let i = 0; i < 5; i++) {
    const c = await createCustomer(ctx, platformScope, { name: `C healthy ${i}` });
    await createSubscription(ctx, platformScope, {
      customerId: c.id,
      url: `${rx.url}/ok`,
      eventTypes: ['*'],
      maxInFlight: 50,
    });
    healthy.push(c.id);
  }
  const base = await healthyThroughput(ctx, rx, healthy, 3000);
  const stuck = await createCustomer(ctx, platformScope, { name: 'Stuck' });
  rx.setDelay('stuck', 20_000);
  const sub = await createSubscription(ctx, platformScope, {
    customerId: stuck.id,
    url: `${rx.url}/sw/stuck`,
    eventTypes: ['*'],
    timeoutMs: 30_000,
  });
  await seedDeadLetters(ctx, stuck.id, sub.id, 100_000, DAY_OLD);
  // Turn the 100,000 into pending deliveries waiting for the stuck endpoint (as a backlog would be).
  await ctx.db.execute(
    sql`update deliveries set status = 'pending', next_attempt_at = now(), queued_at = null where customer_id = ${stuck.id} and subscription_id = ${sub.id}`,
  );
  await ctx.db
    .update(subscriptions)
    .set({ backlog: true })
    .where(and(eq(subscriptions.customerId, stuck.id), eq(subscriptions.id, sub.id)));
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
  printTable(
    'Scenario C: 100,000 queued deliveries for one stuck customer (flow control keeps them in the deliveries table)',
    rows,
  );
  printTable(
    'Without flow control: pg-boss alone, fetch+complete of other groups (groupConcurrency 10, batch 100)',
    naive,
  );
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
