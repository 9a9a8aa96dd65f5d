import type { Job } from 'pg-boss';
import type { Ctx } from '../server/domain/context';
import type { Sender } from '../server/domain/delivery/http-sender';
import { createAttemptRunner } from '../server/domain/delivery/runner';
import { runFanOutJob } from '../server/domain/events/fanout';
import { runBulkReplay } from '../server/domain/replay/bulk-job';
import { runCustomerExpunge } from '../server/domain/lifecycle/customer-expunge';
import { runRescrub } from '../server/domain/lifecycle/expunge';
import { purgeExpired, sampleQueueDepth } from '../server/domain/upkeep/retention';
import { rollUpUsage } from '../server/domain/audit/usage-counting';
import { warnExpiringCertificates } from '../server/domain/upkeep/certificate-expiry';
import type { Logger } from '../server/log';
import { catalog, type JobKey, type JobPayload } from '../server/queue/catalog';

export type Handler<K extends JobKey> = (job: Job<JobPayload<K>>) => Promise<void>;
export type JobHandlers = { [K in JobKey]: Handler<K> };

/**
 * One handler per catalog entry (the `Record<JobKey, …>` type makes a missing handler a compile
 * error). Each handler parses its payload with the catalog schema and calls the domain.
 * `onAdmitted`: a record of attempts admitted new deliveries (the deliver loop fetches them at once).
 */
export function jobHandlers(ctx: Ctx, sender: Sender, log: Logger, onAdmitted: () => void): JobHandlers {
  const parse = <K extends JobKey>(key: K, job: Job<unknown>) => catalog[key].payload.parse(job.data) as JobPayload<K>;
  const attempts = createAttemptRunner(ctx, sender, { onAdmitted });

  return {
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
}
