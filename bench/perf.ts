/**
 * `pnpm bench perf`: throughput, latency and fan-out of the whole product against ceilings
 * measured first, in the same run, on the same machine:
 *   1. raw HTTP: undici POSTs of the same signed 1 KiB body to the same receiver, same concurrency;
 *   2. raw PostgreSQL: batched inserts and a SKIP LOCKED claim loop on a deliveries-shaped table;
 *   3. pg-boss alone: insert, then fetch + complete of empty jobs.
 * Then ours: end-to-end deliveries/s (publish over HTTP → fan-out → signed POST → attempt row),
 * publish → first attempt latency at half that rate, a 10,000-subscription fan-out, publish API
 * requests/s, and the RSS of web and worker under load.
 */
import { existsSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { PgBoss } from 'pg-boss';
import { Pool } from 'undici';
import { createDatabase, rawClient } from '../server/db/client';
import { migrateDatabase } from '../server/migrate';
import { platformScope } from '../server/domain/context';
import { createApiKey } from '../server/domain/tenants/api-keys';
import { createCustomer } from '../server/domain/tenants/customers';
import { createSubscription } from '../server/domain/subscriptions/subscription-changes';
import { benchContext } from './lib/context';
import { seedCustomers } from './lib/seed';
import { costProbe, per, type Cost } from './lib/cost';
import {
  atRate,
  benchDatabase,
  forDuration,
  waitForHttp,
  rssMb,
  saveResult,
  sleep,
  startProcess,
  startReceiverProcess,
  startWorkerProcess,
  stopProcesses,
  workerEnv,
  type Receiver,
} from './lib/harness';
import { percentile, printTable } from './lib/table';
import { stageSplit, type Sent } from './lib/stages';

const CONCURRENCY = 64;
const BODY = JSON.stringify({ id: 'evt_bench', type: 'order.created', timestamp: new Date().toISOString(), data: { pad: 'x'.repeat(1024 - 90) } });
const DATA = { pad: 'x'.repeat(1024 - 120) }; // event data so the signed body is ~1 KiB
const WEB_PORT = 3190;

export async function ceilingHttp(rx: Receiver) {
  const pool = new Pool(rx.url, { connections: CONCURRENCY, pipelining: 1 });
  const key = Buffer.from('0123456789abcdef0123456789abcdef');
  const r = await forDuration(10_000, CONCURRENCY, async () => {
    const ts = Math.floor(Date.now() / 1000);
    const sig = createHmac('sha256', key).update(`evt_bench.${ts}.${BODY}`).digest('base64');
    const res = await pool.request({
      path: '/ok',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'ceiling', 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${sig}` },
      body: BODY,
    });
    await res.body.dump();
  });
  await pool.close();
  return r;
}

export async function ceilingPostgres(url: string) {
  const database = createDatabase(url, { max: 8 });
  const pg = database.sql;
  await pg`create table bench_deliveries (id bigserial primary key, subscription_id text not null, customer_id text not null, status text not null, attempt_count int not null default 0, next_attempt_at timestamptz, created_at timestamptz not null default now())`;
  await pg`create index on bench_deliveries (id) where status = 'pending'`;
  const rows = Array.from({ length: 1000 }, (_, i) => ({
    subscription_id: `sub_${i % 50}`,
    customer_id: `cus_${i % 10}`,
    status: 'pending',
    next_attempt_at: new Date().toISOString(),
  }));
  const ins = await forDuration(5000, 4, async () => {
    await pg`insert into bench_deliveries ${pg(rows)}`;
  });
  const claim = await forDuration(5000, 4, async () => {
    await pg`update bench_deliveries set status = 'done', attempt_count = attempt_count + 1 where id in (select id from bench_deliveries where status = 'pending' order by id limit 100 for update skip locked)`;
  });
  await pg`drop table bench_deliveries`;
  await database.close();
  return { insertRowsPerSecond: ins.perSecond * 1000, claimRowsPerSecond: claim.perSecond * 100 };
}

async function ceilingPgBoss(url: string) {
  const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false, max: 8 });
  await boss.start();
  await boss.createQueue('bench-ceiling');
  const N = 60_000;
  const t0 = Date.now();
  for (let i = 0; i < N; i += 1000)
    await boss.insert(
      'bench-ceiling',
      Array.from({ length: 1000 }, () => ({ data: {} })),
    );
  const insertPerSecond = Math.round(N / ((Date.now() - t0) / 1000));
  const t1 = Date.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (;;) {
        const jobs = await boss.fetch('bench-ceiling', { batchSize: 500 });
        if (jobs.length === 0) break;
        await boss.complete(
          'bench-ceiling',
          jobs.map((j) => j.id),
        );
        done += jobs.length;
      }
    }),
  );
  const fetchCompletePerSecond = Math.round(done / ((Date.now() - t1) / 1000));
  await boss.stop({ graceful: false, close: true });
  return { insertPerSecond, fetchCompletePerSecond };
}

/** The cost table: what PostgreSQL does per publish and per delivery (lib/cost.ts). */
function printCost(publish: Cost | null, delivery: Cost | null) {
  if (!publish || !delivery) {
    console.log('\nCost table skipped: pg_stat_statements is not loaded on this server (the embedded bench server loads it).');
    return;
  }
  printTable('PostgreSQL cost per unit (pg_stat_statements, pg_stat_database, pg_stat_wal deltas)', [
    {
      unit: 'publish (API, no subscriptions)',
      statements: per(publish.statementsPerUnit),
      rows: per(publish.rowsPerUnit),
      commits: per(publish.commitsPerUnit),
      'WAL bytes': per(publish.walBytesPerUnit),
    },
    {
      unit: 'delivery (end to end: 1/10 of a publish, fan-out, admission, attempt, record)',
      statements: per(delivery.statementsPerUnit),
      rows: per(delivery.rowsPerUnit),
      commits: per(delivery.commitsPerUnit),
      'WAL bytes': per(delivery.walBytesPerUnit),
    },
  ]);
  printTable(
    'Statements per delivery, most frequent first (end-to-end phase)',
    delivery.top.map((t) => ({ statement: t.statement, calls: per(t.callsPerUnit), rows: per(t.rowsPerUnit), ms: per(t.msPerUnit) })),
  );
}

export async function runPerf() {
  // The web app is measured as in production: build it unless told a fresh build exists.
  if (!existsSync('.next/BUILD_ID') || process.env.BENCH_SKIP_BUILD !== '1') {
    console.log('Running `next build` first (BENCH_SKIP_BUILD=1 skips it)…');
    const b = startProcess('node_modules/.bin/next', ['build'], { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' }, false);
    const code = await new Promise<number | null>((r) => b.once('exit', r));
    if (code !== 0) throw new Error('next build failed');
  }
  const db = await benchDatabase();
  await migrateDatabase(db.url);
  const rx = await startReceiverProcess();
  const results: Record<string, unknown> = {};
  try {
    console.log('Performance benchmark on this machine: web, worker, receiver and PostgreSQL share its cores.');
    const http = await ceilingHttp(rx);
    const pg = await ceilingPostgres(db.url);
    const boss = await ceilingPgBoss(db.url);
    results.ceilings = { http, pg, boss };
    printTable('Ceilings (same run)', [
      { ceiling: `raw HTTP: signed 1 KiB POSTs, undici, ${CONCURRENCY} connections`, 'per second': http.perSecond, 'p99 ms': Math.round(http.p99 ?? 0) },
      { ceiling: 'PostgreSQL: batched INSERT (1,000 rows) into a deliveries-shaped table', 'per second': pg.insertRowsPerSecond, 'p99 ms': null },
      { ceiling: 'PostgreSQL: SKIP LOCKED claim + update, batch 100', 'per second': pg.claimRowsPerSecond, 'p99 ms': null },
      { ceiling: 'pg-boss: insert, batches of 1,000', 'per second': boss.insertPerSecond, 'p99 ms': null },
      { ceiling: 'pg-boss: fetch 500 + complete, 4 loops', 'per second': boss.fetchCompletePerSecond, 'p99 ms': null },
    ]);

    // Our product: web (next start) + one worker process.
    const ctx = await benchContext(db.url);
    const key = (await createApiKey(ctx, null, 'bench')).key;
    // BENCH_PROFILE=1: CPU profiles of web and worker into bench/results/profiles (summarise with
    // `pnpm tsx bench/profile-summary.ts`).
    const profile: Record<string, string> = process.env.BENCH_PROFILE === '1' ? { NODE_OPTIONS: '--cpu-prof --cpu-prof-dir=bench/results/profiles' } : {};
    const web = startProcess(
      'node_modules/.bin/next',
      ['start', '-p', String(WEB_PORT), '-H', '127.0.0.1'],
      workerEnv(db.url, { PORT: String(WEB_PORT), API_RATE_LIMIT_PER_SECOND: '1000000', API_RATE_LIMIT_BURST: '1000000', ...profile }),
    );
    const worker = startWorkerProcess(db.url, { WORKER_CONCURRENCY: '256', ...profile });
    await waitForHttp(`http://127.0.0.1:${WEB_PORT}/api/health`, 60_000);
    const api = new Pool(`http://127.0.0.1:${WEB_PORT}`, { connections: 32 });
    const publish = async (body: object) => {
      const res = await api.request({
        path: '/api/v1/events',
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.body.json()) as { id: string };
      if (res.statusCode !== 202) throw new Error(`publish answered ${res.statusCode}: ${JSON.stringify(json)}`);
      return json.id;
    };

    // Publish API alone: a customer with no subscriptions (ingest only).
    const quiet = await createCustomer(ctx, platformScope, { name: 'No subscriptions' });
    const probe = await costProbe(db.url);
    const ingestFrom = await probe.begin();
    const ingest = await forDuration(10_000, 32, async () => {
      await publish({ type: 'order.created', customerId: quiet.id, data: DATA });
    });
    const publishCost = await probe.end(ingestFrom, ingest.count);
    // The web tier's own ceiling under the same load: a health check is one `select 1`.
    const health = await forDuration(10_000, 32, async () => {
      const res = await api.request({ path: '/api/health', method: 'GET' });
      await res.body.dump();
    });
    // Batch publish: 100 events per request, 8 clients.
    const batchBody = JSON.stringify({ events: Array.from({ length: 100 }, () => ({ type: 'order.created', customerId: quiet.id, data: DATA })) });
    const batched = await forDuration(10_000, 8, async () => {
      const res = await api.request({
        path: '/api/v1/events/batch',
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: batchBody,
      });
      const json = (await res.body.json()) as { results: Array<{ error?: unknown }> };
      if (res.statusCode !== 202 || json.results.some((r) => r.error))
        throw new Error(`batch publish answered ${res.statusCode}: ${JSON.stringify(json).slice(0, 300)}`);
    });
    const batchEventsPerSecond = batched.perSecond * 100;

    // End to end: 20 customers × 10 subscriptions; each event fans out to its customer's 10.
    const customers = await seedCustomers(ctx, `${rx.url}/ok`);
    const before = rx.arrivals.length;
    const e2eFrom = await probe.begin();
    const rss = { web: 0, worker: 0 };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        rss.web = Math.max(rss.web, (await rssMb(web.pid)) ?? 0);
        rss.worker = Math.max(rss.worker, (await rssMb(worker.pid)) ?? 0);
        await sleep(1000);
      }
    })();
    // Published in batches of 20 events (8 clients), so that publishing outruns delivering and
    // the figure is the worker's: single publishes are measured above.
    let i = 0;
    const DURATION = 30_000;
    const t0 = Date.now();
    const E2E_BATCH = 20;
    const pubBatches = await forDuration(DURATION, 8, async () => {
      const events = Array.from({ length: E2E_BATCH }, () => ({ type: 'order.created', customerId: customers[i++ % customers.length], data: DATA }));
      const res = await api.request({
        path: '/api/v1/events/batch',
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
      await res.body.dump();
      if (res.statusCode !== 202) throw new Error(`batch publish answered ${res.statusCode}`);
    });
    const pub = { perSecond: pubBatches.perSecond * E2E_BATCH };
    // Count what arrived during the publishing window after a 5 s warm-up, then let the rest drain.
    const steady = rx.arrivals.slice(before).filter((a) => a.at >= t0 + 5000 && a.at < t0 + DURATION);
    const e2ePerSecond = Math.round(steady.length / ((DURATION - 5000) / 1000));
    // From the count of batches, not the rounded rate: a rate rounded up made the drain wait for
    // deliveries that were never published, until its time limit.
    const expected = pubBatches.count * E2E_BATCH * 10;
    const drainStart = Date.now();
    // The latency phase below must not run behind this backlog: wait for it (up to 5 minutes).
    while (rx.arrivals.length - before < expected * 0.99 && Date.now() - drainStart < 300_000) await sleep(500);
    const drainedIn = (Date.now() - drainStart) / 1000;
    const deliveryCost = await probe.end(e2eFrom, rx.arrivals.length - before);
    await probe.close();
    sampling = false;
    await sampler;
    const [attemptRows] = await ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from attempts`);

    // Latency at half the sustained event rate, one subscription per event, spread over 20 customers
    // (the end-to-end phase's tenant count). One customer alone is held to its cap of attempts in
    // flight (CUSTOMER_MAX_IN_FLIGHT, 10): at 10 per round trip of about 40 ms it cannot take 250
    // events/s, and the figure would measure its queue behind the cap, not the pipeline.
    const latCustomers: string[] = [];
    for (let c = 0; c < 20; c++) {
      const cus = await createCustomer(ctx, platformScope, { name: `Latency ${c}` });
      await createSubscription(ctx, platformScope, { customerId: cus.id, url: `${rx.url}/ok`, eventTypes: ['*'] });
      latCustomers.push(cus.id);
    }
    await sleep(2000);
    // Half the sustained rate of single publishes (measured above), one subscription per event.
    const rate = Math.max(5, Math.round(ingest.perSecond / 2));
    const sent: Sent = new Map();
    await atRate(rate, 20_000, async (i) => {
      const t = Date.now();
      const id = await publish({ type: 'order.created', customerId: latCustomers[i % latCustomers.length], data: DATA });
      sent.set(id, { at: t, committed: Date.now() });
    });
    // Every event's first attempt counts, however late (up to a minute): none is left out of the percentiles.
    const arrived = () => rx.arrivals.filter((a) => sent.has(a.id)).length;
    const latWait = Date.now();
    while (arrived() < sent.size && Date.now() - latWait < 60_000) await sleep(200);
    const lat = rx.arrivals.filter((a) => sent.has(a.id)).map((a) => a.at - sent.get(a.id)!.at);
    // The same events stage by stage (bench/lib/stages.ts): which hop the latency is made of.
    const firstArrival = new Map<string, number>();
    for (const a of rx.arrivals) if (sent.has(a.id) && !firstArrival.has(a.id)) firstArrival.set(a.id, a.at);
    const latStages = await stageSplit(rawClient(ctx.db), sent, (id) => firstArrival.get(id));

    // Fan-out: one broadcast event to 10,000 subscriptions (100 customers × 100).
    for (let c = 0; c < 100; c++) {
      const cus = await createCustomer(ctx, platformScope, { name: `Fan ${c}` });
      const subs = Array.from({ length: 100 }, () =>
        createSubscription(ctx, platformScope, { customerId: cus.id, url: `${rx.url}/ok`, eventTypes: ['fanout.test'] }),
      );
      await Promise.all(subs);
    }
    const fanT0 = Date.now();
    const fanId = await publish({ type: 'fanout.test', data: DATA, broadcast: true });
    let fanned: { at: Date | null; n: number | null } = { at: null, n: null };
    while (Date.now() - fanT0 < 120_000) {
      const [e] = await ctx.db.execute<{ fanned_out_at: string | null; delivery_count: number | null }>(
        // A broadcast: `broadcasts` holds its total (each customer's copy in `events` only its own share).
        sql`select fanned_out_at, delivery_count from broadcasts where id = ${fanId}`,
      );
      if (e?.fanned_out_at) {
        fanned = { at: new Date(e.fanned_out_at), n: e.delivery_count };
        break;
      }
      await sleep(50);
    }
    while (rx.arrivals.filter((a) => a.id === fanId).length < 10_000 && Date.now() - fanT0 < 180_000) await sleep(200);
    const fanArrivals = rx.arrivals.filter((a) => a.id === fanId);
    const lastFan = Math.max(...fanArrivals.map((a) => a.at));
    const fanRowsPerSecond = fanned.at ? Math.round((fanned.n ?? 0) / ((fanned.at.getTime() - fanT0) / 1000)) : null;

    // Broadcast vs customer-scoped publishing, same 32 clients, same 20 customers × 10 subscriptions:
    // a broadcast is accepted with a fan-out job (the worker fans it out), a customer's event with
    // its 10 deliveries inline.
    const scoped = await forDuration(5_000, 32, async () => {
      await publish({ type: 'order.created', customerId: customers[i++ % customers.length], data: DATA });
    });
    const broadcast = await forDuration(5_000, 32, async () => {
      await publish({ type: 'order.created', data: DATA, broadcast: true });
    });
    // Last of all: their deliveries (200 per broadcast) are left to drain after the measurements.

    await api.close();
    await ctx.close();
    const ratio = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`;
    results.ours = {
      ingest,
      health,
      publishScoped: scoped,
      publishBroadcast: broadcast,
      batch: { requestsPerSecond: batched.perSecond, eventsPerSecond: batchEventsPerSecond, p99: batched.p99 },
      e2e: { publishPerSecond: pub.perSecond, deliveriesPerSecond: e2ePerSecond, drainedIn, attemptRows: attemptRows?.n },
      latency: { rate, n: lat.length, p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99), stages: latStages },
      fanout: { rowsPerSecond: fanRowsPerSecond, delivered: fanArrivals.length, lastDeliveryS: (lastFan - fanT0) / 1000 },
      rss,
      cost: { publish: publishCost, delivery: deliveryCost },
    };
    printCost(publishCost, deliveryCost);
    printTable('Hookrelay (same run)', [
      {
        figure: 'end-to-end deliveries/s (batch publish over HTTP → fan-out ×10 → signed POST → attempt row), 30 s',
        value: e2ePerSecond,
        ceiling: http.perSecond,
        ratio: ratio(e2ePerSecond, http.perSecond),
        target: '≥ 50%',
      },
      {
        figure: `publish → first attempt p50 ms (at ${rate} events/s over 20 customers, half the sustained single-publish rate; ${lat.length} of ${sent.size} arrived)`,
        value: percentile(lat, 50),
        ceiling: null,
        ratio: null,
        target: null,
      },
      { figure: 'publish → first attempt p95 ms', value: percentile(lat, 95), ceiling: null, ratio: null, target: null },
      { figure: 'publish → first attempt p99 ms', value: percentile(lat, 99), ceiling: null, ratio: null, target: '≤ 250' },
      {
        figure: 'fan-out: delivery rows/s (one event → 10,000 subscriptions)',
        value: fanRowsPerSecond,
        ceiling: pg.insertRowsPerSecond,
        ratio: fanRowsPerSecond ? ratio(fanRowsPerSecond, pg.insertRowsPerSecond) : null,
        target: '≥ 5,000/s',
      },
      { figure: 'fan-out: seconds to the last of 10,000 deliveries', value: (lastFan - fanT0) / 1000, ceiling: null, ratio: null, target: null },
      {
        figure: 'publish API requests/s (no subscriptions, 32 clients)',
        value: ingest.perSecond,
        ceiling: boss.insertPerSecond,
        ratio: ratio(ingest.perSecond, boss.insertPerSecond),
        target: null,
      },
      { figure: 'publish API p99 ms', value: Math.round(ingest.p99 ?? 0), ceiling: null, ratio: null, target: null },
      {
        figure: 'publish API vs GET /api/health requests/s (same 32 clients)',
        value: ingest.perSecond,
        ceiling: health.perSecond,
        ratio: ratio(ingest.perSecond, health.perSecond),
        target: '≥ 50%',
      },
      {
        figure: 'broadcast publish events/s (to 20 customers × 10) vs customer-scoped (10 inline deliveries), 32 clients',
        value: broadcast.perSecond,
        ceiling: scoped.perSecond,
        ratio: ratio(broadcast.perSecond, scoped.perSecond),
        target: '≥ 100%',
      },
      {
        figure: 'batch publish events/s (100 per request, 8 clients) vs single publishes',
        value: batchEventsPerSecond,
        ceiling: ingest.perSecond,
        ratio: `${(batchEventsPerSecond / Math.max(1, ingest.perSecond)).toFixed(1)}×`,
        target: '≥ 10×',
      },
      { figure: 'RSS of web under load, MiB', value: rss.web, ceiling: null, ratio: null, target: null },
      { figure: 'RSS of worker under load, MiB', value: rss.worker, ceiling: null, ratio: null, target: null },
    ]);
    printTable(`publish → first attempt by stage, ms (at ${rate} events/s; bench/lib/stages.ts)`, [latStages]);
    console.log(
      `e2e: ${pub.perSecond} events/s published for 30 s (×10 deliveries each); the backlog drained ${drainedIn.toFixed(1)} s after publishing stopped; ${attemptRows?.n} attempt rows`,
    );
  } finally {
    await stopProcesses();
    rx.stop();
    await db.stop();
  }
  console.log(`results written to ${saveResult('perf', results)}`);
}
