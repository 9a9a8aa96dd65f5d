/**
 * `pnpm tsx bench/latency.ts`: where the time from publish to first attempt goes, stage by stage.
 *
 * One real worker process (`node --import tsx worker/index.ts`, as `pnpm worker`), a receiver that
 * answers 200 at once, 20 customers with one subscription each. This process publishes 1 KiB
 * customer-scoped events through the domain (`publishEventBatched`, as the REST route does, no HTTP)
 * at each rate for a fixed time, round robin over the customers, then reads each delivery's
 * timestamps back:
 *
 * - publish: the publish call, until its commit returned;
 * - queued: commit → the worker fetched the deliver job (pg-boss `started_on`);
 * - loaded: fetched → the attempt started (its row loaded, request signed);
 * - sent: attempt started → the receiver had the request;
 *
 * and prints p50/p95/p99 of each and of the whole, with this process's event-loop delay. Then 32
 * callers publish back to back: the accepted rate and its latency. Against DATABASE_URL's server (a fresh database,
 * dropped at the end), else an embedded PostgreSQL under .data/pg-bench-latency on port 54379.
 * Options: --rates 50,100,200 (events/s), --seconds N (per rate, default 10).
 */
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { startReceiver } from '../tests/support/receiver';
import { printTable } from './lib/table';
import { atRate, forDuration, inProcessBench, sleep } from './lib/harness';
import { stageSplit } from './lib/stages';

const { values } = parseArgs({
  options: { rates: { type: 'string', default: '50,100,200' }, seconds: { type: 'string', default: '10' } },
});
const RATES = values.rates.split(',').map(Number);
const SECONDS = Number(values.seconds);
const CUSTOMERS = 20;

const bench = await inProcessBench({ dir: '.data/pg-bench-latency', port: 54379, database: 'hr_bench_latency' });
const { ctx, sql, database } = bench;
const { createCustomer } = await import('../server/domain/tenants/customers');
const { createSubscription } = await import('../server/domain/subscriptions/subscription-changes');
const { publishEventBatched } = await import('../server/domain/events/group-commit');
const { platformScope } = await import('../server/domain/context');

const arrivals = new Map<string, number>();
const rx = await startReceiver((req) => {
  arrivals.set(req.headers['webhook-id']!, req.at);
  return { status: 200 };
});
const customers: string[] = [];
for (let i = 0; i < CUSTOMERS; i++) {
  const c = await createCustomer(ctx, platformScope, { name: `Latency ${i}` });
  await createSubscription(ctx, platformScope, { customerId: c.id, url: `${rx.url}/hook`, eventTypes: ['*'] });
  customers.push(c.id);
}

const worker = spawn(process.execPath, ['--import', 'tsx', 'worker/index.ts'], {
  env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
await sleep(3000);

const data = { pad: 'x'.repeat(900) };
const rows: Array<Record<string, string | number | null>> = [];
for (const rate of [5, ...RATES]) {
  const sent = new Map<string, { at: number; committed: number }>();
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  await atRate(rate, rate === 5 ? 2000 : SECONDS * 1000, async (i) => {
    const at = Date.now();
    const r = await publishEventBatched(ctx, platformScope, {
      type: 'latency.test',
      customerId: customers[i % CUSTOMERS]!,
      data,
    });
    sent.set(r.id, { at, committed: Date.now() });
  });
  lag.disable();
  console.log(
    `rate ${rate}: event loop delay p50 ${(lag.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms, max ${(lag.max / 1e6).toFixed(1)} ms`,
  );
  const waitFrom = Date.now();
  while ([...sent.keys()].some((id) => !arrivals.has(id)) && Date.now() - waitFrom < 30_000) await sleep(100);
  if (rate === 5) continue; // warm-up
  rows.push({ 'events/s': rate, ...(await stageSplit(sql, sent, (id) => arrivals.get(id))) });
}
printTable('publish → first attempt, by stage (ms)', rows);

// The other side of the trade: how many publishes the same process accepts when 32 callers
// publish back to back (a closed loop), and how long each takes then.
let k = 0;
const saturated = await forDuration(SECONDS * 1000, 32, async () => {
  await publishEventBatched(ctx, platformScope, {
    type: 'latency.saturate',
    customerId: customers[k++ % CUSTOMERS]!,
    data,
  });
});
printTable('publish, 32 callers back to back', [
  {
    'events/s': saturated.perSecond,
    'p50 ms': saturated.p50?.toFixed(0) ?? null,
    'p99 ms': saturated.p99?.toFixed(0) ?? null,
  },
]);

worker.kill('SIGTERM');
await new Promise((r) => worker.once('exit', r));
await rx.close();
await bench.finish();
process.exit(0);
