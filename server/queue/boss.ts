import { PgBoss, type FetchOptions, type Job, type JobInsert, type SendOptions } from 'pg-boss';
import { env } from '../env';
import { bossDb, rawClient, type Db, type Queryable } from '../db/client';
import type { Logger } from '../log';
import { catalog, jobKeys, type JobKey, type JobPayload, type QueueSettings } from './catalog';

export type Boss = PgBoss;
export type BossRole = 'web' | 'worker' | 'migrate';

/**
 * pg-boss lives in the same database as our tables (schema `pgboss`). Only workers supervise
 * (expire crashed jobs) and run schedules; the web process only sends.
 */
export function createBoss(url: string, opts: { role: BossRole; max?: number; log?: Logger }): Boss {
  const worker = opts.role === 'worker';
  const superviseSeconds = env().QUEUE_SUPERVISE_SECONDS;
  const boss = new PgBoss({
    connectionString: url,
    application_name: `hookrelay-${opts.role}-boss`,
    max: opts.max ?? (worker ? 10 : 4),
    migrate: opts.role !== 'web',
    supervise: worker,
    schedule: worker,
    superviseIntervalSeconds: superviseSeconds,
    monitorIntervalSeconds: superviseSeconds,
  });
  boss.on('error', (err) => {
    // pg-boss reports background errors (e.g. a lost connection during a database restart) here;
    // it recovers by itself, so they are logged, not fatal.
    if (opts.log) opts.log.error({ err, component: 'pg-boss' }, 'queue background error (pg-boss recovers by itself)');
    else console.error(`[pg-boss:${opts.role}]`, err instanceof Error ? err.message : err);
  });
  return boss;
}

/** Creates or updates every catalog queue with its options. Idempotent, safe with many workers. */
export async function ensureQueues(boss: Boss, settings: QueueSettings): Promise<void> {
  for (const key of jobKeys) {
    const { name } = catalog[key];
    const options = catalog[key].queue(settings);
    const existing = await boss.getQueue(name);
    if (existing) await boss.updateQueue(name, options);
    else await boss.createQueue(name, options);
  }
  for (const name of retiredQueues) if (await boss.getQueue(name)) await boss.deleteQueue(name);
}

/**
 * Queues outside the catalog that a database may still hold, deleted with whatever jobs they hold.
 * `operational-deliver`: operational webhooks are delivered by the `deliver` queue, and
 * migration 0026 moves what was pending on it into the deliveries table.
 */
const retiredQueues = ['operational-deliver'];

/**
 * Sends one job, validated against the catalog. Pass `q` (a transaction) to make the job commit or
 * roll back with the caller's rows.
 */
export async function enqueue<K extends JobKey>(
  boss: Boss,
  key: K,
  data: JobPayload<K>,
  options: SendOptions = {},
  q?: Queryable,
): Promise<void> {
  const job = catalog[key];
  job.payload.parse(data);
  await boss.send(job.name, data as object, { ...options, ...(q ? { db: bossDb(q) } : {}) });
}

/** Sends many jobs in one statement (fan-out, bulk replay). */
export async function enqueueMany<K extends JobKey>(
  boss: Boss,
  key: K,
  jobs: Array<{ data: JobPayload<K> } & Omit<JobInsert, 'data'>>,
  q?: Queryable,
): Promise<void> {
  if (jobs.length === 0) return;
  const job = catalog[key];
  for (const j of jobs) job.payload.parse(j.data);
  await boss.insert(job.name, jobs, q ? { db: bossDb(q) } : undefined);
}

/**
 * Completes jobs: the one way any job is marked done. Pass `q` (a transaction) to complete them
 * with the caller's writes (a deliver job and its recorded attempt commit together).
 */
export async function completeJobs(boss: Boss, key: JobKey, ids: string[], q?: Queryable): Promise<void> {
  if (ids.length === 0) return;
  await boss.complete(catalog[key].name, ids, null, q ? { db: bossDb(q) } : undefined);
}

/**
 * Fetches jobs of a queue whose groups are capped (pg-boss `groupConcurrency`: the deliver queue's
 * per-customer cap on attempts in flight), one fetch at a time across all workers.
 *
 * pg-boss counts a group's active jobs without a lock: workers fetching at the same moment each see
 * the whole cap free and together hand out several times it (12 jobs of a group capped at 3, with 12
 * fetches at once: server/queue/group-cap.int.test.ts). Here each fetch runs in its own transaction
 * behind a transaction-scoped advisory lock on the queue, taken in a statement before the fetch, so
 * the fetch's snapshot includes every job an earlier fetch claimed (committed as its lock was
 * released). A fetch takes a few milliseconds; serialising them costs a queue nothing it can notice.
 */
export async function fetchCapped<T>(
  db: Db,
  boss: Boss,
  name: string,
  options: FetchOptions & { batchSize: number },
): Promise<Job<T>[]> {
  return db.transaction(async (tx) => {
    // Sent now and not awaited: the fetch follows it on the connection (one round trip fewer), and
    // PostgreSQL runs them in order, so the fetch's snapshot is still taken after the lock.
    const lock = rawClient(tx)`select pg_advisory_xact_lock(${FETCH_LOCK_SPACE}, hashtext(${name}))`.execute();
    const [, jobs] = await Promise.all([lock, boss.fetch<T>(name, { ...options, db: bossDb(tx) })]);
    return jobs;
  });
}

/** Advisory lock space of the capped fetches (keyed by queue name within it). */
const FETCH_LOCK_SPACE = 0x686b6662; // 'hkfb'
