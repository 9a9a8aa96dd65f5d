/**
 * `pnpm tsx bench/fanout.ts`: what one broadcast's fan-out costs, in-process, with no worker and no
 * HTTP. 100 customers × 100 subscriptions with empty windows; each round publishes one broadcast and
 * runs its fan-out job (`runFanOutJob`, as a worker would): 10,000 deliveries in pages of 1,000,
 * each admitted into its window with its pg-boss job. Between rounds the windows are emptied again
 * (jobs deleted, deliveries marked succeeded), so every round does the same work.
 *
 * Prints each round's time and delivery rows/s, and the median. Against DATABASE_URL's server (a
 * fresh database, dropped at the end), else an embedded PostgreSQL under .data/pg-bench-fanout on
 * port 54389. Options: --rounds N (default 5). To compare two versions, run this in each checkout
 * in turn, alternating, a few times: the machine's load moves more than most changes do.
 */
import { parseArgs } from 'node:util';
import { percentile, printTable } from './lib/table';
import { inProcessBench } from './lib/harness';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(values.rounds);
const CUSTOMERS = 100;
const PER_CUSTOMER = 100;

const bench = await inProcessBench({ dir: '.data/pg-bench-fanout', port: 54389, database: 'hr_bench_fanout' });
const { ctx, sql } = bench;
const { createCustomer } = await import('../server/domain/tenants/customers');
const { createSubscription } = await import('../server/domain/subscriptions/subscription-changes');
const { publishEvent } = await import('../server/domain/events/publish');
const { runFanOutJob } = await import('../server/domain/events/fanout');
const { platformScope } = await import('../server/domain/context');

for (let c = 0; c < CUSTOMERS; c++) {
  const cus = await createCustomer(ctx, platformScope, { name: `Fan ${c}` });
  await Promise.all(
    Array.from({ length: PER_CUSTOMER }, () =>
      // Port 9 (discard): nothing is sent, there is no worker.
      createSubscription(ctx, platformScope, {
        customerId: cus.id,
        url: 'http://127.0.0.1:9/hook',
        eventTypes: ['fan.bench'],
      }),
    ),
  );
}

const rows: Array<Record<string, string | number | null>> = [];
const times: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const e = await publishEvent(ctx, platformScope, {
    type: 'fan.bench',
    data: { pad: 'x'.repeat(700) },
    broadcast: true,
  });
  const t0 = performance.now();
  await runFanOutJob(ctx, { eventId: e.id });
  const ms = performance.now() - t0;
  const [made] = await sql<{ n: number }[]>`select delivery_count as n from broadcasts where id = ${e.id}`;
  times.push(ms);
  rows.push({
    round,
    deliveries: made?.n ?? null,
    ms: Math.round(ms),
    'rows/s': Math.round(((made?.n ?? 0) * 1000) / ms),
  });
  // Empty the windows for the next round, as finished attempts would.
  await sql`delete from pgboss.job where name = 'deliver'`;
  await sql`update deliveries set status = 'succeeded', queued_at = null, completed_at = now() where status = 'pending'`;
}
const median = percentile(times, 50)!;
rows.push({
  round: 'median',
  deliveries: CUSTOMERS * PER_CUSTOMER,
  ms: Math.round(median),
  'rows/s': Math.round((CUSTOMERS * PER_CUSTOMER * 1000) / median),
});
printTable(
  `Fan-out of one broadcast to ${CUSTOMERS * PER_CUSTOMER} subscriptions (${CUSTOMERS} customers), in-process`,
  rows,
);
await bench.finish();
process.exit(0);
