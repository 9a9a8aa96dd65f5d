import { eq, inArray, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { expect } from 'vitest';
import { deliveries } from '../../drizzle/schema';
import type { Ctx } from '../../server/domain/context';
import { createTestContext, type TestCtx } from './context';
import { createTestDatabase } from './db';
import type { GroupProcess } from './process-group';
import { startReceiver, type Received } from './receiver';
import { spawnWeb, type WebProcess } from './web-process';
import { spawnWorker, type WorkerProcess } from './worker-process';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/**
 * What a test file that starts real processes works with: a fresh database, a test Ctx on it, a
 * receiver, and the worker and web processes it spawns on that database. `stop()` SIGKILLs every
 * process still running and waits for it, ends the lock sessions, and drops the database.
 */
export type FaultBed = {
  url: string;
  ctx: TestCtx;
  receiver: Receiver;
  /** A worker process on the bed's database (not waited for). */
  spawnWorker(env?: Record<string, string>): WorkerProcess;
  /** A worker process on the bed's database, once it has started. */
  startWorker(env?: Record<string, string>): Promise<WorkerProcess>;
  /** A web process on the bed's database (on `port`, or a free one), once it answers. */
  startWeb(env?: Record<string, string>, port?: number): Promise<WebProcess>;
  /**
   * Another session that takes a lock with `lock` in a transaction and holds it until released:
   * resolves once the lock is taken.
   */
  holdLock(lock: (tx: postgres.TransactionSql) => Promise<unknown>): Promise<{ release(): Promise<void> }>;
  stop(): Promise<void>;
};

export async function startFaultBed(
  label: string,
  opts: { config?: Partial<Ctx['config']>; reply?: Parameters<typeof startReceiver>[0] } = {},
): Promise<FaultBed> {
  const db = await createTestDatabase(label);
  const ctx = await createTestContext(db.url, opts.config);
  const receiver = await startReceiver(opts.reply);
  const processes: GroupProcess[] = [];
  const lockers: postgres.Sql[] = [];
  const track = <P extends GroupProcess>(p: P) => (processes.push(p), p);
  return {
    url: db.url,
    ctx,
    receiver,
    spawnWorker: (env = {}) => track(spawnWorker(db.url, env)),
    async startWorker(env = {}) {
      const w = track(spawnWorker(db.url, env));
      await w.ready;
      return w;
    },
    async startWeb(env = {}, port) {
      const w = track(await spawnWeb(db.url, env, port));
      await w.ready;
      return w;
    },
    async holdLock(lock) {
      const locker = postgres(db.url, { max: 1, onnotice: () => {} });
      lockers.push(locker);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const lockTaken = new Promise<void>((r) => (locked = r));
      const holding = locker.begin(async (tx) => {
        await lock(tx);
        locked();
        await held;
      });
      await lockTaken;
      return {
        async release() {
          release();
          await holding;
        },
      };
    },
    async stop() {
      for (const p of processes) p.kill('SIGKILL');
      await Promise.all(processes.map((p) => p.exited));
      for (const l of lockers) await l.end({ timeout: 1 });
      await receiver.close();
      await ctx.close();
      await db.drop();
    },
  };
}

/** SIGKILLs `p` and checks that the signal is what ended it. */
export async function killHard(p: GroupProcess): Promise<void> {
  p.kill('SIGKILL');
  expect(await p.exited).toBeNull();
}

/** Waits until `receiver` has had a request with each of `webhookIds` (duplicates allowed). */
export async function waitForAllReceived(
  receiver: { received: readonly Received[] },
  webhookIds: Iterable<string>,
  timeout: number,
): Promise<void> {
  const ids = [...webhookIds];
  await expect
    .poll(
      () => {
        const seen = new Set(receiver.received.map((r) => r.headers['webhook-id']));
        return ids.filter((id) => !seen.has(id)).length;
      },
      { timeout, interval: 250 },
    )
    .toBe(0);
}

/** Waits until no delivery is left pending, held or dead. */
export async function waitForAllSettled(ctx: Ctx): Promise<void> {
  await expect
    .poll(() => ctx.db.$count(deliveries, inArray(deliveries.status, ['pending', 'held', 'dead'])), { timeout: 60_000 })
    .toBe(0);
}

/** Waits until `count` deliveries have succeeded, checking every `interval` ms for up to `timeout` ms. */
export async function waitForSucceeded(ctx: Ctx, count: number, timeout: number, interval: number): Promise<void> {
  await expect
    .poll(() => ctx.db.$count(deliveries, eq(deliveries.status, 'succeeded')), { timeout, interval })
    .toBe(count);
}

/** How many sessions of `applicationName` on the test's database wait on a lock (and, given `query`, run a statement matching it). */
export async function sessionsWaitingOnLock(ctx: Ctx, applicationName: string, query?: string): Promise<number> {
  const [row] = await ctx.db.execute<{ n: number }>(sql`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and application_name = ${applicationName} and wait_event_type = 'Lock'
      ${query === undefined ? sql.empty() : sql`and query ~* ${query}`}`);
  return row!.n;
}
