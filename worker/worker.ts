import type { FetchOptions, Job } from 'pg-boss';
import type { Ctx } from '../server/domain/context';
import type { Sender } from '../server/domain/delivery/http-sender';
import { createAttemptRunner } from '../server/domain/delivery/runner';
import { expireBehindBreaker } from '../server/domain/delivery/breaker-expiry';
import { sweepStates } from '../server/domain/delivery/holds';
import { dispatchTick } from '../server/domain/delivery/dispatcher';
import { sweep } from '../server/domain/delivery/sweep';
import { runFanOutJob } from '../server/domain/events/fanout';
import { runBulkReplay } from '../server/domain/replay/bulk';
import { runCustomerExpunge } from '../server/domain/lifecycle/customer-expunge';
import { runRescrub } from '../server/domain/lifecycle/expunge';
import { purgeExpired, sampleQueueDepth } from '../server/domain/upkeep/retention';
import { rollUpUsage } from '../server/domain/audit/usage';
import { warnExpiringCertificates } from '../server/domain/upkeep/certificate-expiry';
import { HEARTBEAT_MS, heartbeat, pruneWorkers, removeWorker, workerIdentity, type WorkerIdentity } from '../server/domain/upkeep/workers';
import { env } from '../server/env';
import type { Logger } from '../server/log';
import { completeJobs, fetchCapped, queueSettings } from '../server/queue/boss';
import { catalog, jobKeys, type JobEntry, type JobKey, type JobPayload } from '../server/queue/catalog';
import { pollQueue, type PollLoop } from './poll';

/** A delivery queued for longer than any deliver job can live (its job is gone): release its window slot. */
const SWEEP_STALE_MS = 6 * 3600_000;

/** Runs `fn` every `ms` (never overlapping itself) until stopped. */
function every(ms: number, log: Logger, name: string, fn: () => Promise<unknown>): PollLoop & { runNow(): void } {
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  /** Ends the current wait: the task runs again now. */
  const runNow = () => {
    clearTimeout(timer);
    wake?.();
  };
  const loop = (async () => {
    while (running) {
      try {
        await fn();
      } catch (err) {
        log.error({ err, loop: name }, 'periodic task failed; will retry');
      }
      if (!running) break; // stopped while `fn` ran: do not sleep a whole interval first
      await new Promise<void>((r) => {
        wake = r;
        timer = setTimeout(r, ms);
      });
    }
  })();
  return {
    queue: name,
    inFlight: () => 0,
    wake: runNow,
    runNow,
    async stop() {
      running = false;
      clearTimeout(timer);
      wake?.();
      await loop;
      return 0;
    },
  };
}

type Handler<K extends JobKey> = (job: Job<JobPayload<K>>) => Promise<void>;

export type RunningWorker = {
  identity: WorkerIdentity;
  /** Jobs in hand, by queue name. */
  inFlight(): Record<string, number>;
  /** Time of the last heartbeat the database accepted (null before the first). */
  lastHeartbeatAt(): Date | null;
  stopping(): boolean;
  /**
   * Graceful stop: no new jobs; attempts in hand get until the deadline, the rest are handed back to
   * the queue (failed, retried elsewhere within seconds). Returns how many were handed back.
   */
  stop(deadlineMs: number): Promise<number>;
};

/**
 * Registers one handler per catalog entry (the `Record<JobKey, …>` type makes a missing handler a
 * compile error). Each handler parses its payload with the catalog schema and calls the domain.
 * Also keeps this worker's heartbeat row fresh (readiness, operators' view of who runs what).
 */
export async function startWorker(ctx: Ctx, sender: Sender, log: Logger, identity: WorkerIdentity = workerIdentity()): Promise<RunningWorker> {
  const e = env();
  const parse = <K extends JobKey>(key: K, job: Job<unknown>) => catalog[key].payload.parse(job.data) as JobPayload<K>;

  // A record that admitted new deliveries wakes the deliver loop: the refill is fetched at once, not after an idle nap.
  let wakeDeliver = () => {};
  const attempts = createAttemptRunner(ctx, sender, { onAdmitted: () => wakeDeliver() });

  const handlers: { [K in JobKey]: Handler<K> } = {
    deliver: async (job) => {
      await attempts.run({ id: job.id, data: parse('deliver', job) });
    },
    fanout: async (job) => {
      await runFanOutJob(ctx, parse('fanout', job));
    },
    bulkReplay: async (job) => {
      await runBulkReplay(ctx, parse('bulkReplay', job));
    },
    customerExpunge: async (job) => {
      await runCustomerExpunge(ctx, parse('customerExpunge', job));
    },
    expungeRescrub: async (job) => {
      await runRescrub(ctx, parse('expungeRescrub', job));
    },
    retention: async () => {
      const purged = await purgeExpired(ctx);
      if (purged > 0) log.info({ purged }, 'retention: purged expired events');
      // Hourly, like retention: client certificates expiring within 14 days (subscription.certificate_expiring).
      const expiring = await warnExpiringCertificates(ctx);
      if (expiring > 0) log.info({ expiring }, 'client certificates about to expire: operational events emitted');
    },
    depthSample: async () => {
      await sampleQueueDepth(ctx);
    },
    usageRollup: async () => {
      const folded = await rollUpUsage(ctx);
      if (folded > 0) log.debug({ folded }, 'usage: deltas folded into daily totals');
    },
  };

  // One fetch loop per catalog entry, with the entry's fetch settings. A handler that returns
  // normally has done its job: the loop completes it (unless the entry completes its own jobs in
  // the transaction that records their work); one that throws hands it back to pg-boss for a retry.
  const settings = { ...queueSettings(), customerMaxInFlight: ctx.config.customerMaxInFlight };
  const jobLoops: PollLoop[] = jobKeys.map((key) => {
    const entry: JobEntry = catalog[key];
    const { groupConcurrency, ...fetch } = entry.fetch(settings);
    const handle = handlers[key] as Handler<JobKey>;
    return pollQueue(
      ctx.boss,
      entry.name,
      {
        ...fetch,
        // A capped queue's fetches run one at a time across workers, so the cap holds (fetchCapped).
        ...(groupConcurrency !== undefined && {
          fetch: { groupConcurrency: { default: groupConcurrency } },
          fetchJobs: (options: FetchOptions & { batchSize: number }) => fetchCapped(ctx.db, ctx.boss, entry.name, options),
        }),
        log,
        ...(entry.describe && { describe: (job: Job<unknown>) => entry.describe!(job.data as never) }),
        ...(entry.weight && { weight: (job: Job<unknown>) => entry.weight!(job.data as never) }),
      },
      async (job: Job<unknown>) => {
        await handle(job as Job<JobPayload<JobKey>>);
        if (!entry.selfCompleting) await completeJobs(ctx.boss, key, [job.id]);
      },
    );
  });
  const deliverLoop = jobLoops.find((l) => l.queue === catalog.deliver.name);
  if (deliverLoop) wakeDeliver = () => deliverLoop.wake();
  const inFlight = () => Object.fromEntries(jobLoops.map((l) => [l.queue, l.inFlight()]));
  const inFlightTotal = () => jobLoops.reduce((n, l) => n + l.inFlight(), 0);
  // Flow control: every worker runs the dispatcher; an advisory lock lets one tick at a time.
  const periodic = [
    every(e.DISPATCH_INTERVAL_MS, log, 'dispatch', () => dispatchTick(ctx)),
    every(5000, log, 'sweep', async () => {
      await sweep(ctx, SWEEP_STALE_MS);
      const expired = await expireBehindBreaker(ctx);
      if (expired > 0) log.warn({ expired }, 'retry windows ended behind open circuit breakers: deliveries dead-lettered without an attempt');
      const states = await sweepStates(ctx);
      if (states.held + states.released > 0) log.info(states, 'held or released deliveries whose subscription changed state during their fan-out or attempt');
    }),
  ];
  let stopping = false;
  let lastBeat: Date | null = null;
  let beats = 0;
  const heart = every(HEARTBEAT_MS, log, 'heartbeat', async () => {
    await heartbeat(ctx, identity, inFlightTotal(), stopping);
    lastBeat = new Date();
    if (beats++ % 720 === 0) await pruneWorkers(ctx); // about hourly
  });
  for (const key of Object.keys(catalog) as JobKey[]) {
    const entry = catalog[key];
    if ('cron' in entry) await ctx.boss.schedule(entry.name, entry.cron, {});
  }
  return {
    identity,
    inFlight,
    lastHeartbeatAt: () => lastBeat,
    stopping: () => stopping,
    async stop(deadlineMs) {
      stopping = true;
      heart.runNow(); // tell the fleet at once that this worker is draining
      const left = await Promise.all([...jobLoops, ...periodic].map((l) => l.stop(deadlineMs)));
      await heart.stop(0);
      await removeWorker(ctx, identity.id).catch((err: unknown) => log.warn({ err }, 'could not remove heartbeat row; it goes stale'));
      return left.reduce((a, b) => a + b, 0);
    },
  };
}
