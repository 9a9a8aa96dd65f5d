/**
 * `pnpm bench engine [--baseline DIR] [--rounds N] [--workers 1,2,4] [--lanes K] [--transform]`: the delivery engine end to end,
 * paired. Each code tree (this checkout, and a worktree of an earlier commit given with --baseline,
 * built with `next build` and installed) runs the same workload on its own fresh database of the
 * same embedded PostgreSQL, in alternating rounds: web (`next start`) and worker processes of that
 * tree, 20 customers × 10 subscriptions seeded through its REST API, events published in batches of
 * 20 for 20 s (8 clients) so that publishing outruns delivering, then single events at a fixed
 * rate for the latency. Per tree: deliveries/s in the steady window, the cost per delivery
 * (statements, WAL records and bytes, PostgreSQL execution: lib/cost.ts), worker CPU per delivery
 * (from /proc, user + system), publish → first attempt p50/p99. Ceilings of the same run (signed
 * POSTs, batched INSERT, SKIP LOCKED claim) give the durable-delivery ceiling
 * 1 / (1/POST + 1/insert + 1/claim). `--lanes K` adds a third run of this tree with every event
 * published with one of K ordering keys (docs/ordering.md): the cost of ordering lanes, next to the
 * same tree without them. `--transform` adds a run of this tree whose subscriptions all carry a
 * small transformation (docs/transformations.md): the cost of the sandbox per attempt.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import {
  benchDatabase,
  forDuration,
  atRate,
  saveResult,
  sleep,
  startProcess,
  startReceiverProcess,
  stopProcesses,
  waitForHttp,
  workerEnv,
  type Receiver,
} from './lib/harness';
import { costProbe, per, type Cost } from './lib/cost';
import { percentile, printTable } from './lib/table';
import { ceilingHttp, ceilingPostgres } from './lib/ceilings';
import { createFreshDatabase } from '../scripts/lib/database';

const WEB_PORT = 3191;
const DATA = { pad: 'x'.repeat(1024 - 120) };
const E2E_MS = 20_000;
const WARMUP_MS = 4_000;
const LATENCY_RATE = 100;

type Tree = { label: string; dir: string; orderingKeys?: number; transform?: boolean };

/** What `--transform` gives every subscription: a reshaped body, as a typical receiver adapter does. */
const TRANSFORM =
  'function transform(webhook) { return { body: { kind: webhook.eventType, id: webhook.payload.id, data: webhook.payload.data } }; }';
type RunResult = {
  tree: string;
  workers: number;
  deliveriesPerSecond: number;
  /** Every delivery of the phase over the time from the first publish to the last arrival (publishing included). */
  throughputPerSecond: number;
  published: number;
  drainedIn: number;
  cost: Cost | null;
  workerCpuMsPerDelivery: number;
  latency: { p50: number | null; p99: number | null; n: number };
};

/** CPU time (user + system) of a process, in ms, from /proc (clock ticks of 10 ms on Linux). */
function cpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

async function runTree(tree: Tree, adminUrl: string, round: number, rx: Receiver, workers: number): Promise<RunResult> {
  const url = await createFreshDatabase(adminUrl, `hr_engine_${round}_${workers}`);
  const env = workerEnv(url, { NODE_ENV: 'production' });
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], {
    cwd: tree.dir,
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  const keyOut = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/cli.ts', 'platform-key', '--name', 'bench'],
    {
      cwd: tree.dir,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    },
  );
  const key = keyOut.trim().split('\n').at(-1)!.trim();
  const web = startProcess(
    path.join(tree.dir, 'node_modules/.bin/next'),
    ['start', '-p', String(WEB_PORT), '-H', '127.0.0.1'],
    workerEnv(url, { PORT: String(WEB_PORT), API_RATE_LIMIT_PER_SECOND: '1000000', API_RATE_LIMIT_BURST: '1000000' }),
    true,
    tree.dir,
  );
  const procs = Array.from({ length: workers }, () => {
    // BENCH_PROFILE=1: the workers' CPU profiles into bench/results/profiles (`pnpm tsx bench/profile-summary.ts`).
    const profile: Record<string, string> =
      process.env.BENCH_PROFILE === '1'
        ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.resolve('bench/results/profiles')}` }
        : {};
    return startProcess(
      process.execPath,
      ['--import', 'tsx', 'worker/index.ts'],
      workerEnv(url, { WORKER_CONCURRENCY: '256', ...profile }),
      true,
      tree.dir,
    );
  });
  try {
    await waitForHttp(`http://127.0.0.1:${WEB_PORT}/api/health`, 60_000);
    const api = new Pool(`http://127.0.0.1:${WEB_PORT}`, { connections: 32 });
    const call = async (method: string, p: string, body?: object) => {
      const res = await api.request({
        path: `/api/v1${p}`,
        method: method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(body && { body: JSON.stringify(body) }),
      });
      const json = (await res.body.json()) as Record<string, unknown>;
      if (res.statusCode >= 300)
        throw new Error(`${method} ${p} answered ${res.statusCode}: ${JSON.stringify(json).slice(0, 300)}`);
      return json;
    };
    const customers: string[] = [];
    for (let c = 0; c < 20; c++) {
      const cus = await call('POST', '/customers', { name: `E2E ${c}` });
      for (let s = 0; s < 10; s++)
        await call('POST', '/subscriptions', {
          customerId: cus.id,
          url: `${rx.url}/ok`,
          eventTypes: ['order.*'],
          ...(tree.transform && { transform: TRANSFORM }),
        });
      customers.push(cus.id as string);
    }
    const latCustomers: string[] = [];
    for (let c = 0; c < 20; c++) {
      const cus = await call('POST', '/customers', { name: `Latency ${c}` });
      await call('POST', '/subscriptions', { customerId: cus.id, url: `${rx.url}/ok`, eventTypes: ['lat.*'] });
      latCustomers.push(cus.id as string);
    }
    await sleep(2000);
    const probe = await costProbe(url);
    const before = rx.arrivals.length;
    const cpu0 = procs.reduce((a, p) => a + cpuMs(p.pid), 0);
    const from = await probe.begin();
    let i = 0;
    const t0 = Date.now();
    const pub = await forDuration(E2E_MS, 8, async () => {
      await call('POST', '/events/batch', {
        events: Array.from({ length: 20 }, () => {
          const n = i++;
          const orderingKey = tree.orderingKeys ? `order-${n % tree.orderingKeys}` : undefined;
          return {
            type: 'order.created',
            customerId: customers[n % customers.length],
            ...(orderingKey && { orderingKey }),
            data: DATA,
          };
        }),
      });
    });
    const steady = rx.arrivals.slice(before).filter((a) => a.at >= t0 + WARMUP_MS && a.at < t0 + E2E_MS);
    const deliveriesPerSecond = Math.round(steady.length / ((E2E_MS - WARMUP_MS) / 1000));
    const expected = pub.count * 20 * 10;
    const drainStart = Date.now();
    while (rx.arrivals.length - before < expected && Date.now() - drainStart < 300_000) await sleep(200);
    const drainedIn = (Date.now() - drainStart) / 1000;
    const delivered = rx.arrivals.length - before;
    const cost = await probe.end(from, delivered);
    const cpu1 = procs.reduce((a, p) => a + cpuMs(p.pid), 0);
    await probe.close();
    // Latency: single events at a fixed rate, one subscription each, spread over 20 customers.
    const sent = new Map<string, number>();
    await atRate(LATENCY_RATE, 10_000, async (n) => {
      const t = Date.now();
      const ev = await call('POST', '/events', {
        type: 'lat.created',
        customerId: latCustomers[n % latCustomers.length],
        data: DATA,
      });
      sent.set(ev.id as string, t);
    });
    const wait = Date.now();
    const arrivedFor = () => rx.arrivals.filter((a) => sent.has(a.id));
    while (arrivedFor().length < sent.size && Date.now() - wait < 30_000) await sleep(200);
    const first = new Map<string, number>();
    for (const a of arrivedFor()) if (!first.has(a.id)) first.set(a.id, a.at - sent.get(a.id)!);
    const lat = [...first.values()];
    await api.close();
    return {
      tree: tree.label,
      workers,
      deliveriesPerSecond,
      throughputPerSecond: Math.round(delivered / (E2E_MS / 1000 + drainedIn)),
      published: pub.count * 20,
      drainedIn,
      cost,
      workerCpuMsPerDelivery: (cpu1 - cpu0) / Math.max(1, delivered),
      latency: { p50: percentile(lat, 50), p99: percentile(lat, 99), n: lat.length },
    };
  } finally {
    await stopProcesses();
    void web;
  }
}

export async function runEngine(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      baseline: { type: 'string' },
      rounds: { type: 'string' },
      workers: { type: 'string' },
      lanes: { type: 'string' },
      transform: { type: 'boolean' },
    },
  });
  const trees: Tree[] = [
    ...(values.baseline
      ? [{ label: `baseline (${gitRef(values.baseline)})`, dir: path.resolve(values.baseline) }]
      : []),
    { label: `this tree (${gitRef('.')})`, dir: process.cwd() },
    ...(values.lanes
      ? [{ label: `this tree, ${values.lanes} ordering keys`, dir: process.cwd(), orderingKeys: Number(values.lanes) }]
      : []),
    ...(values.transform
      ? [{ label: 'this tree, every subscription transformed', dir: process.cwd(), transform: true }]
      : []),
  ];
  const rounds = Number(values.rounds ?? 2);
  const workerCounts = (values.workers ?? '1').split(',').map(Number);
  const db = await benchDatabase();
  const admin = new URL(db.url);
  admin.pathname = '/postgres';
  const rx = await startReceiverProcess();
  const results: RunResult[] = [];
  try {
    console.log(
      'Engine benchmark: web, worker(s), receiver and PostgreSQL share this machine; trees alternate round by round.',
    );
    const http = await ceilingHttp(rx);
    const pg = await ceilingPostgres(db.url);
    const durable = 1 / (1 / http.perSecond + 1 / pg.insertRowsPerSecond + 1 / pg.claimRowsPerSecond);
    printTable('Ceilings (same run)', [
      { ceiling: 'signed 1 KiB POST, 64 connections', 'per second': http.perSecond },
      { ceiling: 'batched INSERT rows', 'per second': pg.insertRowsPerSecond },
      { ceiling: 'SKIP LOCKED claim + update rows', 'per second': pg.claimRowsPerSecond },
      { ceiling: 'durable delivery 1/(1/POST + 1/insert + 1/claim)', 'per second': Math.round(durable) },
    ]);
    for (const workers of workerCounts)
      for (let r = 0; r < rounds; r++)
        for (const tree of trees) {
          const res = await runTree(tree, admin.toString(), r, rx, workers);
          results.push(res);
          console.log(
            `${res.tree}, ${workers} worker(s), round ${r + 1}: ${res.deliveriesPerSecond} deliveries/s, latency p50 ${res.latency.p50} ms p99 ${res.latency.p99} ms`,
          );
        }
    const median = (xs: Array<number | null>) =>
      percentile(
        xs.filter((x): x is number => x !== null),
        50,
      ) ?? 0;
    const rows = workerCounts.flatMap((workers) =>
      trees.map((t) => {
        const mine = results.filter((r) => r.tree === t.label && r.workers === workers);
        const cost = (f: (c: Cost) => number) => per(median(mine.flatMap((r) => (r.cost ? [f(r.cost)] : []))));
        const rate = median(mine.map((r) => r.deliveriesPerSecond));
        return {
          tree: t.label,
          workers,
          'deliveries/s': rate,
          runs: mine.map((r) => r.deliveriesPerSecond).join(' '),
          'publish + drain /s': median(mine.map((r) => r.throughputPerSecond)),
          'events published': median(mine.map((r) => r.published)),
          'of durable ceiling': per(rate / durable),
          statements: cost((c) => c.statementsPerUnit),
          'WAL records': cost((c) => c.walRecordsPerUnit),
          'WAL bytes': cost((c) => c.walBytesPerUnit),
          'PG exec ms': cost((c) => c.execMsPerUnit),
          'worker CPU ms': per(median(mine.map((r) => r.workerCpuMsPerDelivery))),
          'latency p50 ms': median(mine.map((r) => r.latency.p50)),
          'latency p99 ms': median(mine.map((r) => r.latency.p99)),
        };
      }),
    );
    printTable('Delivery engine, end to end, per delivery (medians over rounds)', rows);
    if (values.baseline)
      for (const workers of workerCounts) {
        const [old, cur] = rows.filter((r) => r.workers === workers);
        console.log(
          `\n${workers} worker(s): this tree / baseline = ${per(cur!['deliveries/s'] / old!['deliveries/s'])}× deliveries/s in the steady window, ` +
            `${per(cur!['publish + drain /s'] / old!['publish + drain /s'])}× over publish + drain`,
        );
      }
    const last = results.filter((r) => r.cost).at(-1);
    if (last?.cost)
      printTable(
        `Statements per delivery, most frequent first (${last.tree}, last round)`,
        last.cost.top.map((t) => ({
          statement: t.statement,
          calls: per(t.callsPerUnit),
          rows: per(t.rowsPerUnit),
          ms: per(t.msPerUnit),
        })),
      );
    saveResult('engine', { ceilings: { http, pg, durable }, results, rows });
  } finally {
    rx.stop();
    await stopProcesses();
    await db.stop();
  }
}

function gitRef(dir: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
  } catch {
    return dir;
  }
}
