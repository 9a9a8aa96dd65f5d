/**
 * `pnpm bench citus`: the same workload on one PostgreSQL node and on a local Citus cluster, in one
 * run, on this machine's PostgreSQL binaries (with Citus installed: ../shared/citus/install.sh).
 *
 * Both databases live on the same server process: "one node" is a plain database on the cluster's
 * coordinator (Citus loaded but not created in it), "Citus" is a database with the extension on the
 * coordinator and two worker nodes, all three on this machine. Same binaries, same settings; the
 * difference is the distribution. On one machine Citus cannot be faster (its nodes share the same
 * two cores and add a network hop); the ratio shows what the distribution costs per operation.
 *
 * Workload, each against `next start` and one worker process: single publishes (32 clients,
 * customer-scoped, no subscriptions), batch publishes (100 events, 8 clients), and end to end
 * (20 customers × 10 subscriptions, batches of 20 events, deliveries into a local receiver).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'undici';
import postgres from 'postgres';
import { migrateDatabase } from '../server/migrate';
import { platformScope } from '../server/domain/context';
import { createApiKey } from '../server/domain/tenants/api-keys';
import { createCustomer } from '../server/domain/tenants/customers';
import { createCitusDatabase, findCitus, startCitusCluster, withDatabase } from '../scripts/lib/citus';
import { benchContext } from './lib/context';
import { seedCustomers } from './lib/seed';
import {
  forDuration,
  saveResult,
  sleep,
  startProcess,
  startReceiverProcess,
  startWorkerProcess,
  stopProcesses,
  waitForHttp,
  workerEnv,
  type Receiver,
} from './lib/harness';
import { printTable } from './lib/table';
import { buildWebApp } from './lib/perf-product';

const DATA = { pad: 'x'.repeat(1024 - 120) };
const WEB_PORT = 3191;

type Figures = {
  publish: number;
  publishP99: number;
  batchEvents: number;
  e2e: number;
  health: number;
  /** PostgreSQL CPU per delivery in the end-to-end window, ms: on the coordinator, and on the worker nodes together. */
  coordinatorMs: number;
  workersMs: number;
};

/**
 * CPU seconds used so far by the PostgreSQL processes of the server in `dataDir` (its postmaster's
 * children: backends, WAL writer, checkpointer…), from /proc. Linux only.
 */
function serverCpuSeconds(dataDir: string): number {
  const tick = 100; // USER_HZ: 100 on Linux x86_64
  const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let total = 0;
  for (const pid of [postmaster, ...childrenOf(postmaster)]) {
    try {
      // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(f[11]) + Number(f[12])) / tick;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

export async function runCitus() {
  const found = findCitus();
  if (!found.ok) {
    console.log(`Citus benchmark skipped: Citus is not installed (${found.reason}).`);
    return;
  }
  await buildWebApp();
  console.log(`Citus benchmark: ${found.version}, a coordinator and two workers on this machine.`);
  const cluster = await startCitusCluster({ workers: 2, durable: true });
  const rx = await startReceiverProcess();
  try {
    const admin = postgres(cluster.coordinatorUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe('create database hr_single');
    await admin.end();
    const engines = [
      { name: 'PostgreSQL, one node', url: withDatabase(cluster.coordinatorUrl, 'hr_single') },
      {
        name: 'Citus, coordinator + 2 workers',
        url: await createCitusDatabase(cluster.coordinatorUrl, cluster.workerUrls, 'hr_citus'),
      },
    ];
    const results: Record<string, Figures> = {};
    for (const e of engines) {
      await migrateDatabase(e.url);
      console.log(`\n${e.name}…`);
      results[e.name] = await measure(e.url, rx, cluster.dataDirs);
    }
    const [one, dist] = engines.map((e) => results[e.name]!);
    const row = (metric: string, a: number, b: number) => ({
      metric,
      [engines[0]!.name]: a,
      [engines[1]!.name]: b,
      'Citus / one node': a > 0 ? `${Math.round((b / a) * 100)}%` : null,
    });
    printTable('Citus against one node (same binaries, same machine, same run)', [
      row('GET /api/health per second (32 clients)', one!.health, dist!.health),
      row('single publishes per second (32 clients)', one!.publish, dist!.publish),
      row('single publish p99 ms', one!.publishP99, dist!.publishP99),
      row('batch publish, events per second (100 per request, 8 clients)', one!.batchEvents, dist!.batchEvents),
      row('end to end, deliveries per second (20 customers × 10 subscriptions)', one!.e2e, dist!.e2e),
      row(
        'PostgreSQL CPU per delivery, coordinator (one node: the server), ms',
        one!.coordinatorMs,
        dist!.coordinatorMs,
      ),
      row('PostgreSQL CPU per delivery, worker nodes together, ms', one!.workersMs, dist!.workersMs),
    ]);
    saveResult('citus', { version: found.version, results });
  } finally {
    await stopProcesses();
    rx.stop();
    await cluster.stop();
  }
}

async function measure(url: string, rx: Receiver, dataDirs: string[]): Promise<Figures> {
  const ctx = await benchContext(url);
  try {
    const key = (await createApiKey(ctx, null, 'bench')).key;
    const web = startProcess(
      'node_modules/.bin/next',
      ['start', '-p', String(WEB_PORT), '-H', '127.0.0.1'],
      workerEnv(url, { PORT: String(WEB_PORT), API_RATE_LIMIT_PER_SECOND: '1000000', API_RATE_LIMIT_BURST: '1000000' }),
    );
    startWorkerProcess(url, { WORKER_CONCURRENCY: '256' });
    await waitForHttp(`http://127.0.0.1:${WEB_PORT}/api/health`, 60_000);
    const api = new Pool(`http://127.0.0.1:${WEB_PORT}`, { connections: 32 });
    const post = async (path: string, body: object) => {
      const res = await api.request({
        path,
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await res.body.dump();
      if (res.statusCode !== 202) throw new Error(`${path} answered ${res.statusCode}`);
    };

    const health = await forDuration(10_000, 32, async () => {
      const res = await api.request({ path: '/api/health', method: 'GET' });
      await res.body.dump();
    });
    const quiet = await createCustomer(ctx, platformScope, { name: 'No subscriptions' });
    const single = await forDuration(10_000, 32, () =>
      post('/api/v1/events', { type: 'order.created', customerId: quiet.id, data: DATA }),
    );
    const batch = {
      events: Array.from({ length: 100 }, () => ({ type: 'order.created', customerId: quiet.id, data: DATA })),
    };
    const batched = await forDuration(10_000, 8, () => post('/api/v1/events/batch', batch));

    const customers = await seedCustomers(ctx, `${rx.url}/ok`);
    const before = rx.arrivals.length;
    const cpu = () => dataDirs.map(serverCpuSeconds);
    const cpuFrom = cpu();
    const DURATION = 30_000;
    const t0 = Date.now();
    let i = 0;
    await forDuration(DURATION, 8, () =>
      post('/api/v1/events/batch', {
        events: Array.from({ length: 20 }, () => ({
          type: 'order.created',
          customerId: customers[i++ % customers.length],
          data: DATA,
        })),
      }),
    );
    // What arrived in the publishing window after a 5 s warm-up.
    const steady = rx.arrivals.slice(before).filter((a) => a.at >= t0 + 5000 && a.at < t0 + DURATION);
    const delivered = rx.arrivals.length - before;
    const used = cpu().map((c, k) => c - cpuFrom[k]!);
    const perDelivery = (seconds: number) => (delivered > 0 ? Math.round((seconds * 1000 * 100) / delivered) / 100 : 0);
    await api.close();
    void web;
    return {
      health: health.perSecond,
      publish: single.perSecond,
      publishP99: Math.round(single.p99 ?? 0),
      batchEvents: batched.perSecond * 100,
      e2e: Math.round(steady.length / ((DURATION - 5000) / 1000)),
      coordinatorMs: perDelivery(used[0]!),
      workersMs: perDelivery(used.slice(1).reduce((a, b) => a + b, 0)),
    };
  } finally {
    await stopProcesses();
    await ctx.close();
    // Let the last deliveries of this engine land before the next one starts.
    await sleep(2000);
  }
}
