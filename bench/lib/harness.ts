import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { percentile } from './table';
import { resolveDatabase, type ScriptDatabase } from '../../scripts/lib/database';

/**
 * What every benchmark needs: a fresh database (DATABASE_URL's server or an embedded one under
 * .data/pg-bench), the receiver process, worker processes, and a place for results.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
export const BENCH_SECRET_KEY = 'bench-secret-key-0123456789abcdef';

/**
 * The benchmarks' database: a fresh one on DATABASE_URL's server, else on an embedded server that
 * loads pg_stat_statements, so the cost tables (lib/cost.ts) can count statements.
 */
export async function benchDatabase(): Promise<ScriptDatabase> {
  // BENCH_PG_PORT: another embedded server, so two benchmarks can run side by side.
  const port = Number(process.env.BENCH_PG_PORT ?? 54359);
  return resolveDatabase({
    dir: port === 54359 ? '.data/pg-bench' : `.data/pg-bench-${port}`,
    port,
    database: 'hr_bench',
    fresh: true,
    settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'top' },
  });
}

export type Receiver = {
  url: string;
  arrivals: Array<{ id: string; at: number; path: string }>;
  setDelay(key: string, ms: number): void;
  stats(): Promise<{ inFlight: number; maxInFlight: number }>;
  resetMax(): void;
  pid: number;
  stop(): void;
};

export async function startReceiverProcess(): Promise<Receiver> {
  const child = fork(path.join(here, 'receiver.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const arrivals: Receiver['arrivals'] = [];
  let statsWaiter: ((s: { inFlight: number; maxInFlight: number }) => void) | null = null;
  const port = await new Promise<number>((resolve, reject) => {
    child.on(
      'message',
      (m: {
        type: string;
        port?: number;
        items?: Array<[string, number, string]>;
        inFlight?: number;
        maxInFlight?: number;
      }) => {
        if (m.type === 'listening') resolve(m.port!);
        if (m.type === 'arrivals') for (const [id, at, p] of m.items!) arrivals.push({ id, at, path: p });
        if (m.type === 'stats') statsWaiter?.({ inFlight: m.inFlight!, maxInFlight: m.maxInFlight! });
      },
    );
    child.once('exit', (code) => reject(new Error(`receiver exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    pid: child.pid!,
    setDelay: (key, ms) => child.send({ type: 'delay', key, ms }),
    resetMax: () => child.send({ type: 'resetMax' }),
    stats: () =>
      new Promise((resolve) => {
        statsWaiter = resolve;
        child.send({ type: 'stats' });
      }),
    stop: () => child.kill('SIGKILL'),
  };
}

/**
 * The setup of a benchmark whose workers run in their own processes: a fresh database
 * (benchDatabase), migrated, and the receiver process. `stop()` ends every process started
 * meanwhile (workers, web), then the receiver and the database.
 */
export async function benchServers(): Promise<{ db: ScriptDatabase; rx: Receiver; stop: () => Promise<void> }> {
  const db = await benchDatabase();
  // Loaded here, not above: in-process benchmarks set the environment before any server module loads.
  const { migrateDatabase } = await import('../../server/migrate');
  await migrateDatabase(db.url);
  const rx = await startReceiverProcess();
  return {
    db,
    rx,
    stop: async () => {
      await stopProcesses();
      rx.stop();
      await db.stop();
    },
  };
}

const procs: ChildProcess[] = [];

export function startProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  quiet = true,
  cwd?: string,
): ChildProcess {
  const p = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
    ...(cwd && { cwd }),
  });
  procs.push(p);
  return p;
}

export async function stopProcesses(): Promise<void> {
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null || p.signalCode !== null) return resolve();
          const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
          p.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
          p.kill('SIGTERM');
        }),
    ),
  );
  procs.length = 0;
}

export function workerEnv(databaseUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'production',
    PUBLIC_URL: process.env.PUBLIC_URL ?? 'http://127.0.0.1:3000',
    DATABASE_URL: databaseUrl,
    HOOKRELAY_SECRET_KEY: BENCH_SECRET_KEY,
    AUTH_SECRET: 'bench-auth-secret-0123456789abcdef0123',
    ALLOW_PRIVATE_TARGETS: 'true',
    LOG_LEVEL: 'error',
    ...extra,
  };
}

export function startWorkerProcess(databaseUrl: string, extra: Record<string, string> = {}): ChildProcess {
  return startProcess(process.execPath, ['--import', 'tsx', 'worker/index.ts'], workerEnv(databaseUrl, extra));
}

/** Resident memory of a process and all its descendants, in MiB (Linux /proc). */
export async function rssMb(pid: number | undefined): Promise<number | null> {
  if (!pid) return null;
  const { readFile, readdir } = await import('node:fs/promises');
  const parentOf = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // process ended meanwhile
    }
  }
  const tree = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, parent] of parentOf)
      if (tree.has(parent) && !tree.has(child)) {
        tree.add(child);
        grew = true;
      }
  }
  let kb = 0;
  for (const p of tree) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // ended
    }
  }
  return Math.round(kb / 1024);
}

export function saveResult(name: string, data: unknown): string {
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify(data, null, 2));
  return file;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `op(i)` at a steady `rate` per second for `ms` (an open loop: a slow `op` does not slow the
 * starts), then waits for all of them.
 */
export async function atRate(rate: number, ms: number, op: (i: number) => Promise<void>): Promise<void> {
  const end = Date.now() + ms;
  let next = Date.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; Date.now() < end; i++) {
    pending.push(op(i));
    next += 1000 / rate;
    const wait = next - Date.now();
    if (wait > 0) await sleep(wait);
  }
  await Promise.all(pending);
}

/** Runs `op` from `concurrency` loops for `ms`: how many completed, per second, and their latency. */
export async function forDuration(ms: number, concurrency: number, op: () => Promise<void>) {
  const end = Date.now() + ms;
  let n = 0;
  const lat: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const t = performance.now();
        await op();
        lat.push(performance.now() - t);
        n++;
      }
    }),
  );
  return { count: n, perSecond: Math.round(n / (ms / 1000)), p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

/** Waits until `url` answers 2xx. */
export async function waitForHttp(url: string, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await sleep(300);
  }
  throw new Error(`${url} did not come up`);
}

/**
 * An in-process benchmark's setup: a fresh database (DATABASE_URL's server, else an embedded one
 * under `dir` on `port`), migrated, with a web-role runtime (domain calls run in this process) and
 * a small raw pool for the benchmark's own queries. `finish()` stops them and drops the database.
 * The environment is set before the server modules load: import domain modules after this returns.
 */
export async function inProcessBench(db: { dir: string; port: number; database: string }) {
  Object.assign(process.env, {
    HOOKRELAY_SECRET_KEY: BENCH_SECRET_KEY,
    ALLOW_PRIVATE_TARGETS: 'true',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  });
  process.env.PUBLIC_URL ??= 'http://127.0.0.1:3000';
  const database = await resolveDatabase({ ...db, fresh: true });
  process.env.DATABASE_URL = database.url;
  const { migrateDatabase } = await import('../../server/migrate');
  const { createRuntime } = await import('../../server/runtime');
  await migrateDatabase(database.url);
  const runtime = await createRuntime('web', { dbMax: 20 });
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  const name = new URL(database.url).pathname.slice(1);
  return {
    database,
    ctx: runtime.ctx,
    sql,
    name,
    async finish() {
      await runtime.stop();
      await sql.end();
      if (!database.embedded) {
        const admin = new URL(database.url);
        admin.pathname = '/postgres';
        const a = postgres(admin.toString(), { max: 1, onnotice: () => {} });
        await a.unsafe(`drop database if exists "${name}" with (force)`);
        await a.end();
      }
      await database.stop();
    },
  };
}
