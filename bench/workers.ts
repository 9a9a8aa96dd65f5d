/**
 * `pnpm tsx bench/workers.ts`: per-worker throughput and where this machine saturates.
 *
 * For 1, 2 and 3 real worker processes (`node --import tsx worker/index.ts`, as `pnpm worker`) it
 * seeds a backlog of pending deliveries (50 customers, one subscription each, 1 KiB events), lets
 * the workers drain it against a local receiver that answers 200 at once, and measures deliveries/s
 * over a fixed window after a warm-up, with the CPU split between PostgreSQL, the workers and this
 * process (publisher + receiver) and PostgreSQL's commit rate. Before that, an ingest phase measures
 * publishEvent (domain call, 16 concurrent, no workers): the accept path's ceiling on this machine.
 *
 * Against DATABASE_URL's server (a fresh database, dropped at the end), else an embedded PostgreSQL
 * under .data/pg-bench-workers on port 54369. Options: --seconds N (window, default 20),
 * --workers 1,2,3, --customers N (default 50). The machine is shared: trust ratios more than absolute numbers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { inProcessBench, sleep } from './lib/harness';
import { startReceiver } from '../tests/support/receiver';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    workers: { type: 'string', default: '1,2,3' },
    customers: { type: 'string', default: '50' },
  },
});
const WINDOW_S = Number(values.seconds);
const WARMUP_S = 4;
const WORKER_COUNTS = values.workers.split(',').map(Number);
// Fewer customers than WORKER_CONCURRENCY / CUSTOMER_MAX_IN_FLIGHT: the per-customer cap binds.
const CUSTOMERS = Number(values.customers);
const HZ = 100; // getconf CLK_TCK on Linux

const bench = await inProcessBench({ dir: '.data/pg-bench-workers', port: 54369, database: 'hr_bench_workers' });
const { ctx, sql, database, name: dbName } = bench;
const { createCustomer } = await import('../server/domain/tenants/customers');
const { createSubscription } = await import('../server/domain/subscriptions/subscription-changes');
const { publishEvent } = await import('../server/domain/events/publish');
const { platformScope } = await import('../server/domain/context');

// ---- CPU accounting (Linux /proc) -------------------------------------------------------------
function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}
function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}
function postgresTicks(): number {
  let sum = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres') sum += processTicks(Number(d));
    } catch {
      // process gone
    }
  }
  return sum;
}
const selfTicks = () => {
  const u = process.cpuUsage();
  return ((u.user + u.system) / 1e6) * HZ;
};
async function commits(): Promise<number> {
  const [r] = await sql<{ n: string }[]>`select xact_commit::text as n from pg_stat_database where datname = ${dbName}`;
  return Number(r?.n ?? 0);
}

type Sample = {
  at: number;
  machine: { busy: number; total: number };
  pg: number;
  workers: number;
  self: number;
  commits: number;
  count: number;
};
async function sample(workerPids: number[], count: () => Promise<number> | number): Promise<Sample> {
  return {
    at: performance.now(),
    machine: machineTicks(),
    pg: postgresTicks(),
    workers: workerPids.reduce((n, p) => n + processTicks(p), 0),
    self: selfTicks(),
    commits: await commits(),
    count: await count(),
  };
}
function summarise(a: Sample, b: Sample) {
  const secs = (b.at - a.at) / 1000;
  const machineTotal = b.machine.total - a.machine.total;
  const cores = cpus().length;
  const pct = (ticks: number) => (100 * ticks) / (secs * HZ * cores); // share of the whole machine
  return {
    rate: (b.count - a.count) / secs,
    busy: (100 * (b.machine.busy - a.machine.busy)) / machineTotal,
    pg: pct(b.pg - a.pg),
    workers: pct(b.workers - a.workers),
    self: pct(b.self - a.self),
    commits: (b.commits - a.commits) / secs,
  };
}

// ---- Setup: customers, subscriptions, receiver ------------------------------------------------
const rx = await startReceiver(() => ({ status: 200 }));
const subs: Array<{ customerId: string; subscriptionId: string }> = [];
for (let i = 0; i < CUSTOMERS; i++) {
  const c = await createCustomer(ctx, platformScope, { name: `Bench ${i}` });
  const s = await createSubscription(ctx, platformScope, {
    customerId: c.id,
    url: `${rx.url}/hook`,
    eventTypes: ['*'],
    maxInFlight: 100,
  });
  subs.push({ customerId: c.id, subscriptionId: s.id });
}
const pad = 'x'.repeat(900);

/** A backlog of `n` pending deliveries spread over the subscriptions, as a publish burst would leave. */
async function seedBacklog(run: string, n: number): Promise<void> {
  await sql`
    with s as (select * from unnest(${subs.map((x) => x.subscriptionId)}::text[], ${subs.map((x) => x.customerId)}::text[]) with ordinality as t(sub, cus, k)),
    g as (select g, s.sub, s.cus from generate_series(1, ${n}) g join s on s.k = (g % ${CUSTOMERS}) + 1),
    e as (
      insert into events (id, customer_id, type, body, retention_until, fanned_out_at, delivery_count, created_at)
      select 'evt_bench_' || ${run} || '_' || g, cus, 'bench.event',
             '{"id":"evt_bench_' || ${run} || '_' || g || '","type":"bench.event","timestamp":"' || now() || '","data":{"pad":"' || ${pad} || '"}}',
             now() + interval '1 day', now(), 1, now()
      from g returning id
    )
    insert into deliveries (id, event_id, subscription_id, customer_id, event_type, status, next_attempt_at, cycle_started_at, created_at)
    select 'dlv_bench_' || ${run} || '_' || g, 'evt_bench_' || ${run} || '_' || g, sub, cus, 'bench.event', 'pending', now(), now(), now() from g`;
  await sql`update subscriptions set backlog = true`;
  await sql`analyze deliveries`;
}

function spawnWorker(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'worker/index.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: '10',
      QUEUE_POOL_MAX: '4',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
async function liveWorkers(): Promise<number> {
  const [r] = await sql<
    { n: number }[]
  >`select count(*)::int as n from worker_heartbeats where last_seen_at > now() - interval '30 seconds' and stopping_at is null`;
  return r?.n ?? 0;
}

// ---- Ingest: publishEvent, 16 concurrent, no workers ------------------------------------------
console.log(
  `machine: ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} before the run (shared machine)`,
);
{
  let published = 0;
  let stop = false;
  const pub = async () => {
    for (let i = 0; !stop; i++) {
      const s = subs[(published + i) % CUSTOMERS]!;
      await publishEvent(ctx, platformScope, { type: 'bench.ingest', data: { pad }, customerId: s.customerId });
      published++;
    }
  };
  const loops = Array.from({ length: 16 }, pub);
  await sleep(2000);
  const a = await sample([], () => published);
  await sleep(10_000);
  const b = await sample([], () => published);
  stop = true;
  await Promise.all(loops);
  const s = summarise(a, b);
  console.log(
    `\ningest (publishEvent in-process, 16 concurrent, 1 KiB, no workers): ${s.rate.toFixed(0)} events/s; machine ${s.busy.toFixed(0)}% busy, postgres ${s.pg.toFixed(0)}%, publisher ${s.self.toFixed(0)}%, ${s.commits.toFixed(0)} commits/s`,
  );
  // Those events' deliveries are not part of the drain runs.
  await sql`delete from deliveries where event_type = 'bench.ingest'`;
  await sql`delete from events where type = 'bench.ingest'`;
  await sql`delete from pgboss.job where name = 'deliver'`;
  await sql`update deliveries set queued_at = null where queued_at is not null`;
}

// ---- Drain: 1, 2, 3 workers ----------------------------------------------------------------------
type Row = {
  workers: number;
  rate: number;
  busy: number;
  pg: number;
  workerCpu: number;
  self: number;
  commits: number;
  drained: boolean;
};
const rows: Row[] = [];
for (const n of WORKER_COUNTS) {
  await sql`delete from deliveries where status = 'pending'`;
  await sql`delete from pgboss.job where name = 'deliver'`;
  // Enough for the window at well above the expected rate (checked below).
  await seedBacklog(`w${n}`, 40_000 * n);
  const procs = Array.from({ length: n }, spawnWorker);
  const exited = procs.map((p) => new Promise<number | null>((r) => p.once('exit', (code) => r(code))));
  while ((await liveWorkers()) < n) await sleep(250);
  await sleep(WARMUP_S * 1000);
  const pids = procs.map((p) => p.pid!);
  const a = await sample(pids, () => rx.received.length);
  await sleep(WINDOW_S * 1000);
  const b = await sample(pids, () => rx.received.length);
  const [left] = await sql<{ n: number }[]>`select count(*)::int as n from deliveries where status = 'pending'`;
  for (const p of procs) p.kill('SIGTERM');
  const codes = await Promise.all(exited);
  const s = summarise(a, b);
  rows.push({
    workers: n,
    rate: s.rate,
    busy: s.busy,
    pg: s.pg,
    workerCpu: s.workers,
    self: s.self,
    commits: s.commits,
    drained: (left?.n ?? 0) === 0,
  });
  console.log(
    `  ${n} worker(s): ${s.rate.toFixed(0)} deliveries/s (exit codes ${codes.join(',')}; ${left?.n ?? 0} still pending)`,
  );
}

const base = rows[0]?.rate ?? 1;
console.log(
  `\ndrain of a pending backlog (${CUSTOMERS} customers, 1 KiB, receiver answers 200 at once), ${WINDOW_S} s window after ${WARMUP_S} s warm-up:\n`,
);
console.log(
  '| workers | deliveries/s | vs 1 worker | machine busy | postgres CPU | workers CPU | receiver CPU | commits/s |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.workers} | ${r.rate.toFixed(0)}${r.drained ? ' (backlog ran out)' : ''} | ${(r.rate / base).toFixed(2)}× | ${r.busy.toFixed(0)}% | ${r.pg.toFixed(0)}% | ${r.workerCpu.toFixed(0)}% | ${r.self.toFixed(0)}% | ${r.commits.toFixed(0)} |`,
  );
}
console.log(
  `\nCPU columns are shares of the whole machine (${cpus().length} cores = 100%); "machine busy" includes other users of this shared machine. load average after: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

await rx.close();
await bench.finish();
process.exit(0);
