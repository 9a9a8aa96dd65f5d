import { z } from 'zod';
import type { Queue } from 'pg-boss';

/**
 * Every job Hookrelay runs, declared completely and once: name, payload schema, queue options
 * (retries, expiry), how a worker fetches it (concurrency, batch, poll interval, per-customer cap),
 * what to log about it, whether its handler completes it itself, and a cron for scheduled jobs.
 * `enqueue()` (server/queue/boss.ts) validates against the same schema the worker's handler parses
 * with, so sender and handler cannot drift apart; the worker builds one fetch loop per entry.
 * Adding a job is one entry here plus one handler in worker/handlers.ts.
 */

/** Process settings some entries depend on (server/settings.ts, from server/env.ts). */
export type QueueSettings = {
  /** WORKER_CONCURRENCY: attempts in flight per worker process. */
  concurrency: number;
  /** WORKER_POLL_MS: idle poll interval of the busy queues. */
  pollMs: number;
  /** CUSTOMER_MAX_IN_FLIGHT: per-customer cap on in-flight attempts across all workers. */
  customerMaxInFlight: number;
  /** DELIVERY_JOB_EXPIRE_SECONDS: how soon a crashed worker's delivery job goes to another worker. */
  deliveryExpireSeconds: number;
};

type FetchSettings = { concurrency: number; batchSize: number; pollMs: number; groupConcurrency?: number };

export type JobEntry = {
  name: string;
  payload: z.ZodType;
  queue: (s: QueueSettings) => Omit<Queue, 'name'>;
  fetch: (s: QueueSettings) => FetchSettings;
  /** Ids worth logging about a job (they go on error and hand-back lines). */
  describe?: (data: never) => Record<string, unknown>;
  /** How many of the worker's concurrency slots a job takes (default 1). */
  weight?: (data: never) => number;
  /** The handler completes the job itself, in the transaction that records its work. */
  selfCompleting?: true;
  cron?: string;
};

/**
 * Long jobs (a fan-out, a bulk replay) carry a heartbeat: the worker holding one refreshes it every
 * few seconds (worker/poll.ts), and pg-boss's supervisor hands a job whose heartbeat stopped for this
 * long to another worker. A worker killed mid-job (SIGKILL, OOM, node lost) thus delays a broadcast
 * or a replay by about this much, not by the job's whole expiry (5 minutes, an hour). pg-boss's minimum is 10.
 */
export const JOB_HEARTBEAT_SECONDS = 30;

/** The most attempts one `deliver` job carries (a customer's admissions are split into jobs of at most this). */
export const DELIVER_JOB_MAX_ATTEMPTS = 100;

/**
 * How a long job in batches (a bulk replay, a customer's expunge) is retried: again and again with
 * backoff up to a minute, alive for an hour as long as its heartbeat beats.
 */
const LONG_JOB = {
  retryLimit: 50,
  retryDelay: 2,
  retryBackoff: true,
  retryDelayMax: 60,
  expireInSeconds: 3600,
  heartbeatSeconds: JOB_HEARTBEAT_SECONDS,
} satisfies Omit<Queue, 'name'>;

/** A job its cron starts (no payload), fetched one at a time by each worker. */
function scheduled<N extends string>(name: N, cron: string, queue: Omit<Queue, 'name'>) {
  return {
    name,
    payload: z.object({}).passthrough(),
    queue: () => ({ ...queue }),
    fetch: () => ({ concurrency: 1, batchSize: 1, pollMs: 5000 }),
    cron,
  } satisfies JobEntry;
}

export const catalog = {
  /** Accepting an event enqueues this in the same transaction; the worker creates the deliveries. */
  fanout: {
    name: 'fanout',
    /** `customerId`: the customer of a customer-scoped event (its shard); absent for a broadcast. */
    payload: z.object({ eventId: z.string(), customerId: z.string().optional() }),
    queue: () => ({
      retryLimit: 50,
      retryDelay: 1,
      retryBackoff: true,
      retryDelayMax: 60,
      expireInSeconds: 300,
      heartbeatSeconds: JOB_HEARTBEAT_SECONDS,
    }),
    fetch: (s) => ({ concurrency: 4, batchSize: 4, pollMs: s.pollMs }),
    describe: (d: { eventId: string; customerId?: string }) => ({ eventId: d.eventId, customerId: d.customerId }),
  },
  /**
   * A batch of attempts of one customer's deliveries (pg-boss group = customer id), each for its
   * delivery's next attempt. Jobs exist only for deliveries admitted into their subscription's window
   * and their customer's cap of attempts in flight (server/domain/delivery/dispatch.ts); retries
   * wait in the deliveries table, not as deferred jobs. Each entry names the attempt number it
   * performs: an entry whose attempt was already recorded is skipped (crash-retry idempotency), so a
   * job re-run after a crash sends only what was not recorded. `traceparent` (tracing on): the
   * admission span's W3C trace context, the parent of the attempt's span. pg-boss's own retries only
   * cover crashes and database errors; HTTP failures are rescheduled by our retry policy. The worker
   * completes a job once every attempt in it is recorded (server/domain/delivery/runner.ts).
   */
  deliver: {
    name: 'deliver',
    payload: z.object({
      /** The deliveries' customer: every read and write of the batch goes to that customer's shard only. */
      customerId: z.string(),
      deliveries: z
        .array(
          z.object({ id: z.string(), attempt: z.number().int().min(1), traceparent: z.string().max(128).optional() }),
        )
        .min(1)
        .max(DELIVER_JOB_MAX_ATTEMPTS),
    }),
    queue: (s) => ({
      retryLimit: 10,
      retryDelay: 2,
      retryBackoff: true,
      retryDelayMax: 60,
      expireInSeconds: s.deliveryExpireSeconds,
    }),
    // WORKER_CONCURRENCY counts attempts: a job weighs as many slots as it carries attempts.
    fetch: (s) => ({
      concurrency: s.concurrency,
      batchSize: 100,
      pollMs: s.pollMs,
      groupConcurrency: s.customerMaxInFlight,
    }),
    weight: (d: { deliveries: unknown[] }) => d.deliveries.length,
    describe: (d: { customerId: string; deliveries: Array<{ id: string; attempt: number }> }) => ({
      customerId: d.customerId,
      deliveries: d.deliveries.map((x) => `${x.id}#${x.attempt}`),
    }),
    selfCompleting: true,
  },
  /** "Replay all": one job per bulk replay, re-enqueuing dead letters in batches at a bounded rate. */
  bulkReplay: {
    name: 'bulk-replay',
    /** `customerId`: the replay's customer (its shard). */
    payload: z.object({ replayId: z.string(), customerId: z.string() }),
    queue: () => ({ ...LONG_JOB }),
    fetch: () => ({ concurrency: 4, batchSize: 4, pollMs: 500 }),
    describe: (d: { replayId: string }) => ({ replayId: d.replayId }),
  },
  /** `DELETE /customers/{id}/data`: expunges every payload of a customer in batches (server/domain/lifecycle/customer-expunge.ts). */
  customerExpunge: {
    name: 'customer-expunge',
    payload: z.object({ expungeId: z.string(), customerId: z.string() }),
    queue: () => ({ ...LONG_JOB }),
    fetch: () => ({ concurrency: 2, batchSize: 2, pollMs: 1000 }),
    describe: (d: { expungeId: string; customerId: string }) => ({ expungeId: d.expungeId, customerId: d.customerId }),
  },
  /**
   * The second pass over events expunged while an attempt of theirs was in flight (it is recorded
   * after the expunge, with its response): deferred past the longest attempt timeout. Ids only.
   */
  expungeRescrub: {
    name: 'expunge-rescrub',
    payload: z.object({ customerId: z.string(), eventIds: z.array(z.string()).max(1000) }),
    queue: () => ({ retryLimit: 10, retryDelay: 5, retryBackoff: true, expireInSeconds: 300 }),
    fetch: () => ({ concurrency: 1, batchSize: 4, pollMs: 5000 }),
    describe: (d: { customerId: string }) => ({ customerId: d.customerId }),
  },
  /** Purges events (with their deliveries and attempts) past retention_until. */
  retention: scheduled('retention', '17 * * * *', { retryLimit: 3, expireInSeconds: 900 }),
  /** Samples per-subscription queue depth for the per-minute stats. */
  depthSample: scheduled('depth-sample', '* * * * *', { retryLimit: 0, expireInSeconds: 60 }),
  /** Folds appended usage counts into the per-customer, per-day totals (server/domain/audit/usage-counting.ts). */
  usageRollup: scheduled('usage-rollup', '* * * * *', { retryLimit: 2, expireInSeconds: 300 }),
} as const satisfies Record<string, JobEntry>;

export type JobKey = keyof typeof catalog;
export type JobPayload<K extends JobKey> = z.infer<(typeof catalog)[K]['payload']>;
export const jobKeys = Object.keys(catalog) as JobKey[];
