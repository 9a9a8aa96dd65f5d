import { batcher } from '../../batch';
import type { Ctx } from '../context';
import { loadForAttempts, performAttempt, type AttemptIo, type DeliverJob, type DeliveryRef, type Outcome } from './attempt';
import type { Sender } from './http-sender';
import { recordOutcomes } from './record';

/**
 * The attempt runner: what a worker hands each `deliver` job to. It performs the attempt
 * (attempt.ts) with loads and records batched across the jobs in flight: loads of one fetch share a
 * query; finished attempts are recorded in batches of up to 100 (one transaction each, within 5 ms).
 * A batch that fails is recorded again item by item, so one bad outcome cannot fail the others
 * (the failing one throws back to its job, which pg-boss retries).
 */
export type AttemptRunner = { run(job: DeliverJob): Promise<'sent' | 'stale' | 'held' | 'deferred'> };

export function createAttemptRunner(ctx: Ctx, sender: Sender): AttemptRunner {
  const load = batcher(
    async (refs: DeliveryRef[]) => {
      const rows = await loadForAttempts(ctx, refs);
      const byId = new Map(rows.map((r) => [r.delivery.id, r]));
      return refs.map((ref) => byId.get(ref.id));
    },
    { maxSize: 200, maxWaitMs: 0 },
  );
  const record = batcher(
    async (outcomes: Outcome[]): Promise<unknown[]> => {
      try {
        await recordOutcomes(ctx, outcomes);
        return outcomes.map(() => null);
      } catch {
        const settled = await Promise.allSettled(outcomes.map((o) => recordOutcomes(ctx, [o])));
        return settled.map((r): unknown => (r.status === 'rejected' ? (r.reason as unknown) : null));
      }
    },
    { maxSize: 100, maxWaitMs: 5 },
  );
  const completeStale = batcher(
    async (ids: string[]) => {
      await recordOutcomes(ctx, [], ids);
      return ids.map(() => null);
    },
    { maxSize: 100, maxWaitMs: 5 },
  );
  const io: AttemptIo = {
    load,
    record: async (o) => {
      const err = await record(o);
      if (err) throw err;
    },
    completeStale: async (id) => {
      await completeStale(id);
    },
  };
  return { run: (job) => performAttempt(ctx, sender, job, io) };
}

/** One row and one transaction per attempt, unbatched: for tests that drive a single attempt. */
export const directIo = (ctx: Ctx): AttemptIo => ({
  load: async (ref) => (await loadForAttempts(ctx, [ref]))[0],
  record: (o) => recordOutcomes(ctx, [o]),
  completeStale: (jobId) => recordOutcomes(ctx, [], [jobId]),
});
