import { hostname } from 'node:os';
import { rawClient } from '../../db/client';
import type { Ctx } from '../context';
import { newId } from '../ids';

/**
 * Worker heartbeats: each worker process keeps one row fresh (every HEARTBEAT_MS). Times come from
 * the database's clock, so workers on hosts with skewed clocks still compare fairly.
 * Readiness: at least one worker seen within READY_WITHIN_MS.
 */
export const HEARTBEAT_MS = 5_000;
export const READY_WITHIN_MS = 30_000;
/** A row not refreshed for this long belongs to a process that is gone (killed, host lost). */
const PRUNE_AFTER_MS = 24 * 3600_000;

export type WorkerIdentity = { id: string; host: string; pid: number; startedAt: Date };

export function workerIdentity(now = new Date()): WorkerIdentity {
  return { id: newId('worker', now.getTime()), host: hostname(), pid: process.pid, startedAt: now };
}

/** Records (or refreshes) this worker's row. `stopping` marks a worker draining after SIGTERM. */
export async function heartbeat(ctx: Ctx, w: WorkerIdentity, inFlight: number, stopping = false): Promise<void> {
  const sql = rawClient(ctx.db);
  await sql`
    insert into worker_heartbeats (id, host, pid, started_at, last_seen_at, in_flight, stopping_at)
    values (${w.id}, ${w.host}, ${w.pid}, ${w.startedAt.toISOString()}::timestamptz, now(), ${inFlight}, ${stopping ? sql`now()` : null})
    on conflict (id) do update set last_seen_at = now(), in_flight = excluded.in_flight,
      stopping_at = coalesce(worker_heartbeats.stopping_at, excluded.stopping_at)`;
}

/** Deletes this worker's row (clean stop). */
export async function removeWorker(ctx: Ctx, id: string): Promise<void> {
  await rawClient(ctx.db)`delete from worker_heartbeats where id = ${id}`;
}

/** Deletes rows of workers gone for a day (PRUNE_AFTER_MS). */
export async function pruneWorkers(ctx: Ctx): Promise<number> {
  const r = await rawClient(
    ctx.db,
  )`delete from worker_heartbeats where last_seen_at < now() - make_interval(secs => ${PRUNE_AFTER_MS / 1000})`;
  return r.count;
}

type LiveWorker = {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  lastSeenAt: string;
  inFlight: number;
  stopping: boolean;
  ageSeconds: number;
};

/** Workers seen within `withinMs` (default: the readiness window), newest first. */
export async function liveWorkers(ctx: Ctx, withinMs = READY_WITHIN_MS): Promise<LiveWorker[]> {
  // Timestamps as text: Drizzle's postgres.js client returns them unparsed.
  const rows = await rawClient(ctx.db)<
    {
      id: string;
      host: string;
      pid: number;
      started_at: string;
      last_seen_at: string;
      in_flight: number;
      stopping_at: string | null;
      age: number;
    }[]
  >`
    select id, host, pid, started_at, last_seen_at, in_flight, stopping_at, extract(epoch from now() - last_seen_at)::float8 as age
    from worker_heartbeats
    where last_seen_at > now() - make_interval(secs => ${withinMs / 1000})
    order by last_seen_at desc
    limit 1000`;
  return rows.map((r) => ({
    id: r.id,
    host: r.host,
    pid: r.pid,
    startedAt: new Date(r.started_at).toISOString(),
    lastSeenAt: new Date(r.last_seen_at).toISOString(),
    inFlight: r.in_flight,
    stopping: r.stopping_at !== null,
    ageSeconds: Math.max(0, Math.round(r.age * 10) / 10),
  }));
}
