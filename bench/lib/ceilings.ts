/**
 * The ceilings `pnpm bench perf` (and `pnpm bench engine`) measure first, in the same run, on the same
 * machine: raw HTTP (undici POSTs of a signed 1 KiB body), raw PostgreSQL (batched inserts and a SKIP
 * LOCKED claim loop on a deliveries-shaped table) and pg-boss alone (insert, then fetch + complete).
 */
import { createHmac } from 'node:crypto';
import { PgBoss } from 'pg-boss';
import { Pool } from 'undici';
import { createDatabase } from '../../server/db/client';
import { forDuration, type Receiver } from './harness';
import { printTable } from './table';

const CONCURRENCY = 64;
const BODY = JSON.stringify({
  id: 'evt_bench',
  type: 'order.created',
  timestamp: new Date().toISOString(),
  data: { pad: 'x'.repeat(1024 - 90) },
});

export async function ceilingHttp(rx: Receiver) {
  const pool = new Pool(rx.url, { connections: CONCURRENCY, pipelining: 1 });
  const key = Buffer.from('0123456789abcdef0123456789abcdef');
  const r = await forDuration(10_000, CONCURRENCY, async () => {
    const ts = Math.floor(Date.now() / 1000);
    const sig = createHmac('sha256', key).update(`evt_bench.${ts}.${BODY}`).digest('base64');
    const res = await pool.request({
      path: '/ok',
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'ceiling',
        'webhook-timestamp': String(ts),
        'webhook-signature': `v1,${sig}`,
      },
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

export async function ceilingPgBoss(url: string) {
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

/** The ceilings' table. */
export function printCeilings(
  http: Awaited<ReturnType<typeof ceilingHttp>>,
  pg: Awaited<ReturnType<typeof ceilingPostgres>>,
  boss: Awaited<ReturnType<typeof ceilingPgBoss>>,
) {
  printTable('Ceilings (same run)', [
    {
      ceiling: `raw HTTP: signed 1 KiB POSTs, undici, ${CONCURRENCY} connections`,
      'per second': http.perSecond,
      'p99 ms': Math.round(http.p99 ?? 0),
    },
    {
      ceiling: 'PostgreSQL: batched INSERT (1,000 rows) into a deliveries-shaped table',
      'per second': pg.insertRowsPerSecond,
      'p99 ms': null,
    },
    {
      ceiling: 'PostgreSQL: SKIP LOCKED claim + update, batch 100',
      'per second': pg.claimRowsPerSecond,
      'p99 ms': null,
    },
    { ceiling: 'pg-boss: insert, batches of 1,000', 'per second': boss.insertPerSecond, 'p99 ms': null },
    { ceiling: 'pg-boss: fetch 500 + complete, 4 loops', 'per second': boss.fetchCompletePerSecond, 'p99 ms': null },
  ]);
}
