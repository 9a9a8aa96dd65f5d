import { PgBoss, type JobInsert, type SendOptions } from 'pg-boss';
import { env } from '../env';
import { bossDb, type Queryable } from '../db/client';
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
  const boss = new PgBoss({
    connectionString: url,
    application_name: `hookrelay-${opts.role}-boss`,
    max: opts.max ?? (worker ? 10 : 4),
    migrate: opts.role !== 'web',
    supervise: worker,
    schedule: worker,
    superviseIntervalSeconds: env().QUEUE_SUPERVISE_SECONDS,
    monitorIntervalSeconds: env().QUEUE_SUPERVISE_SECONDS,
  });
  boss.on('error', (err) => {
    // pg-boss reports background errors (e.g. a lost connection during a database restart) here;
    // it recovers by itself, so they are logged, not fatal.
    if (opts.log) opts.log.error({ err, component: 'pg-boss' }, 'queue background error (pg-boss recovers by itself)');
    else console.error(`[pg-boss:${opts.role}]`, err instanceof Error ? err.message : err);
  });
  return boss;
}

/** The catalog's process-dependent settings, as this process's environment sets them. */
export function queueSettings(): QueueSettings {
  const e = env();
  return {
    concurrency: e.WORKER_CONCURRENCY,
    pollMs: e.WORKER_POLL_MS,
    customerMaxInFlight: e.CUSTOMER_MAX_IN_FLIGHT,
    deliveryExpireSeconds: e.DELIVERY_JOB_EXPIRE_SECONDS,
  };
}

/** Creates or updates every catalog queue with its options. Idempotent, safe with many workers. */
export async function ensureQueues(boss: Boss, settings: QueueSettings = queueSettings()): Promise<void> {
  for (const key of jobKeys) {
    const { name } = catalog[key];
    const options = catalog[key].queue(settings);
    const existing = await boss.getQueue(name);
    if (existing) await boss.updateQueue(name, options);
    else await boss.createQueue(name, options);
  }
}

/**
 * Sends one job, validated against the catalog. Pass `q` (a transaction) to make the job commit or
 * roll back with the caller's rows.
 */
export async function enqueue<K extends JobKey>(boss: Boss, key: K, data: JobPayload<K>, options: SendOptions = {}, q?: Queryable): Promise<void> {
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
