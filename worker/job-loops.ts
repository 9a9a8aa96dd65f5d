import type { FetchOptions, Job } from 'pg-boss';
import type { Ctx } from '../server/domain/context';
import { settingsFromEnv } from '../server/settings';
import type { Logger } from '../server/log';
import { completeJobs, fetchCapped } from '../server/queue/boss';
import { catalog, jobKeys, type JobEntry, type JobKey, type JobPayload } from '../server/queue/catalog';
import type { Handler, JobHandlers } from './handlers';
import { pollQueue, type PollLoop } from './poll';

/**
 * One fetch loop per catalog entry, with the entry's fetch settings. A handler that returns
 * normally has done its job: the loop completes it (unless the entry completes its own jobs in
 * the transaction that records their work); one that throws hands it back to pg-boss for a retry.
 */
export function startJobLoops(ctx: Ctx, handlers: JobHandlers, log: Logger): PollLoop[] {
  const settings = { ...settingsFromEnv().queue, customerMaxInFlight: ctx.config.customerMaxInFlight };
  return jobKeys.map((key) => {
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
          fetchJobs: (options: FetchOptions & { batchSize: number }) =>
            fetchCapped(ctx.db, ctx.boss, entry.name, options),
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
}
