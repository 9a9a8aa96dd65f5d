import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per running worker process, refreshed every few seconds (worker/heartbeat.ts).
 * Readiness (`GET /api/ready`) needs at least one worker seen in the last 30 s; operators see who
 * is running where, and what it holds. A worker that stops cleanly deletes its row; a killed one
 * leaves a row that goes stale and is pruned after a day.
 */
export const workerHeartbeats = pgTable(
  'worker_heartbeats',
  {
    /** `wrk_…`, new for each process start. */
    id: text('id').primaryKey(),
    host: text('host').notNull(),
    pid: integer('pid').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    /** Jobs (attempts, fan-outs, replays) the worker held at its last heartbeat. */
    inFlight: integer('in_flight').notNull().default(0),
    /** Set when the worker received SIGTERM and is draining. */
    stoppingAt: timestamp('stopping_at', { withTimezone: true }),
  },
  (t) => [index('worker_heartbeats_last_seen_idx').on(t.lastSeenAt)],
);
