import { z } from 'zod';
import type { Queue } from 'pg-boss';

/**
 * Every job Hookrelay runs, declared once: name, payload schema, queue options and (for scheduled
 * jobs) a cron. `enqueue()` (server/queue/boss.ts) validates against the same schema the worker's
 * handler parses with, so sender and handler cannot drift apart.
 */
export const catalog = {
  /** Accepting an event enqueues this in the same transaction; the worker creates the deliveries. */
  fanout: {
    name: 'fanout',
    payload: z.object({ eventId: z.string() }),
    queue: { retryLimit: 50, retryDelay: 1, retryBackoff: true, retryDelayMax: 60, expireInSeconds: 300 },
  },
  /**
   * One job per attempt, grouped by customer (pg-boss group = customer id) so each customer's
   * in-flight attempts are capped. Jobs exist only for deliveries inside their subscription's window
   * (server/domain/delivery/dispatch.ts); retries wait in the deliveries table, not as deferred jobs.
   * `attempt` is the delivery's attempt number this job performs:
   * a job whose attempt was already recorded is a no-op (crash-retry idempotency).
   * pg-boss's own retries only cover crashes and database errors; HTTP failures are rescheduled
   * by our retry policy.
   */
  deliver: {
    name: 'deliver',
    payload: z.object({ deliveryId: z.string(), attempt: z.number().int().min(1) }),
    queue: { retryLimit: 10, retryDelay: 2, retryBackoff: true, retryDelayMax: 60 },
  },
  /**
   * One job per attempt of an operational delivery (server/domain/operational/deliver.ts): no group,
   * so the platform's own notifications count against no customer's cap. A retry is a new job
   * deferred to its time by the default retry schedule; pg-boss's retries only cover crashes.
   */
  operationalDeliver: {
    name: 'operational-deliver',
    payload: z.object({ deliveryId: z.string(), attempt: z.number().int().min(1) }),
    queue: { retryLimit: 10, retryDelay: 2, retryBackoff: true, retryDelayMax: 60, expireInSeconds: 120 },
  },
  /** "Replay all": one job per bulk replay, re-enqueuing dead letters in batches at a bounded rate. */
  bulkReplay: {
    name: 'bulk-replay',
    payload: z.object({ replayId: z.string() }),
    queue: { retryLimit: 50, retryDelay: 2, retryBackoff: true, retryDelayMax: 60, expireInSeconds: 3600 },
  },
  /** Purges events (with their deliveries and attempts) past retention_until. */
  retention: {
    name: 'retention',
    payload: z.object({}).passthrough(),
    queue: { retryLimit: 3, expireInSeconds: 900 },
    cron: '17 * * * *',
  },
  /** Samples per-subscription queue depth for the per-minute stats. */
  depthSample: {
    name: 'depth-sample',
    payload: z.object({}).passthrough(),
    queue: { retryLimit: 0, expireInSeconds: 60 },
    cron: '* * * * *',
  },
} as const satisfies Record<string, { name: string; payload: z.ZodType; queue: Omit<Queue, 'name'>; cron?: string }>;

export type JobKey = keyof typeof catalog;
export type JobPayload<K extends JobKey> = z.infer<(typeof catalog)[K]['payload']>;
