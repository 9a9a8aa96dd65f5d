/** One round of the engine benchmark: a code tree's web and workers started, loaded, measured and stopped. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'undici';
import {
  forDuration,
  atRate,
  sleep,
  startProcess,
  stopProcesses,
  waitForHttp,
  workerEnv,
  type Receiver,
} from './harness';
import { costProbe, type Cost } from './cost';
import { percentile } from './table';
import { createFreshDatabase } from '../../scripts/lib/database';

const WEB_PORT = 3191;
const DATA = { pad: 'x'.repeat(1024 - 120) };
const E2E_MS = 20_000;
const WARMUP_MS = 4_000;
const LATENCY_RATE = 100;

export type Tree = { label: string; dir: string; orderingKeys?: number; transform?: boolean };

/** What `--transform` gives every subscription: a reshaped body, as a typical receiver adapter does. */
const TRANSFORM =
  'function transform(webhook) { return { body: { kind: webhook.eventType, id: webhook.payload.id, data: webhook.payload.data } }; }';
export type RunResult = {
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

export async function runTree(
  tree: Tree,
  adminUrl: string,
  round: number,
  rx: Receiver,
  workers: number,
): Promise<RunResult> {
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
