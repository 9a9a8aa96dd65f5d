import { batcher } from '../../batch';
import type { JobPayload } from '../../queue/catalog';
import type { Ctx } from '../context';
import { performAttempt, type AttemptIo } from './attempt';
import { loadForAttempts, type DeliverTask, type DeliveryRef } from './attempt-loader';
import type { Outcome } from './outcome';
import type { Sender } from './http-sender';
import { completeSettledJobs, recordOutcomes, refill } from './record';

/**
 * The attempt runner: what a worker hands each `deliver` job to. A job is a batch of one customer's
 * attempts; each runs on its own (attempt.ts), so one slow endpoint holds only its own attempt, and
 * loads and records are batched across every job in flight: the loads of one fetch share a query;
 * finished attempts are recorded in batches of up to 200 (one transaction each, within 5 ms); the
 * slots they free are refilled in a transaction of their own, batched the same way, so recording
 * never waits for admission. A job completes in the transaction that records its last attempt when
 * every other attempt of it is already recorded (committed), or else on its own once they all are.
 * A batch that fails is recorded again item by item, so one bad outcome cannot fail the others (its
 * job then fails, and pg-boss re-runs it: attempts already recorded are skipped by their attempt
 * number).
 */
type DeliverJob = { id: string; data: JobPayload<'deliver'> };
export type AttemptRunner = { run(job: DeliverJob): Promise<void> };

/** What one record transaction takes: a finished attempt (with its job's completion when it is the job's last), or a job's completion alone. */
type RecordItem = { outcome: Outcome; completes?: string } | { jobId: string };

export function createAttemptRunner(ctx: Ctx, sender: Sender, opts: { onAdmitted?: () => void } = {}): AttemptRunner {
  const load = batcher(
    async (refs: DeliveryRef[]) => {
      const rows = await loadForAttempts(ctx, refs);
      const byId = new Map(rows.map((r) => [r.delivery.id, r]));
      return refs.map((ref) => byId.get(ref.id));
    },
    { maxSize: 500, maxWaitMs: 0 },
  );
  const refillBatch = batcher(
    async (customers: string[]) => {
      if ((await refill(ctx, [...new Set(customers)])) > 0) opts.onAdmitted?.();
      return customers.map(() => null);
    },
    { maxSize: 500, maxWaitMs: 2, maxInFlight: 1 },
  );
  const recordBatch = async (items: RecordItem[]) => {
    const outcomes = items.flatMap((i) => ('outcome' in i ? [i.outcome] : []));
    const jobIds = items.flatMap((i) => ('jobId' in i ? [i.jobId] : i.completes ? [i.completes] : []));
    if (outcomes.length === 0) return completeSettledJobs(ctx, jobIds);
    const { freed } = await recordOutcomes(ctx, outcomes, jobIds);
    // Not awaited: the attempts are recorded; a refill that fails is the dispatcher's to redo.
    for (const c of freed)
      refillBatch(c).catch((err: unknown) =>
        ctx.log.warn({ err, customerId: c }, 'refill failed; the dispatcher admits at its next tick'),
      );
  };
  const record = batcher(
    async (items: RecordItem[]): Promise<unknown[]> => {
      try {
        await recordBatch(items);
        return items.map(() => null);
      } catch {
        const settled = await Promise.allSettled(items.map((i) => recordBatch([i])));
        return settled.map((r): unknown => (r.status === 'rejected' ? (r.reason as unknown) : null));
      }
    },
    { maxSize: 200, maxWaitMs: 5, maxInFlight: 4 },
  );
  const submit = async (item: RecordItem) => {
    const err = await record(item);
    if (err) throw err;
  };
  /**
   * Jobs in hand: tasks not yet submitted for recording nor settled without one, records submitted
   * and not yet committed, and whether a record carries the job's completion.
   */
  const jobs = new Map<string, { left: number; recording: number; completing: boolean }>();
  const io: AttemptIo = {
    load,
    record: async (outcome) => {
      const job = jobs.get(outcome.job.id);
      // The last task's record completes the job only if no other record of it is still in flight
      // (records run several at a time: an earlier one could still fail after this one commits).
      const last = job ? --job.left === 0 && job.recording === 0 : false;
      if (job && last) job.completing = true;
      if (job) job.recording += 1;
      try {
        await submit({ outcome, ...(last && { completes: outcome.job.id }) });
      } finally {
        if (job) job.recording -= 1;
      }
    },
  };
  return {
    async run(job) {
      const tasks = tasksOf(job);
      const state = { left: tasks.length, recording: 0, completing: false };
      jobs.set(job.id, state);
      try {
        const settled = await Promise.allSettled(
          tasks.map(async (task) => {
            if ((await performAttempt(ctx, sender, task, io)) !== 'sent') state.left -= 1;
          }),
        );
        const failed = settled.find((s) => s.status === 'rejected');
        if (failed) throw failed.reason;
        // Its last task recorded nothing (stale, held, deferred): the job completes on its own.
        if (!state.completing) await submit({ jobId: job.id });
      } finally {
        jobs.delete(job.id);
      }
    },
  };
}

/** A deliver job's attempts, each seen on its own (its delivery, its attempt number, its trace parent). */
function tasksOf(job: DeliverJob): DeliverTask[] {
  return job.data.deliveries.map((d) => ({
    id: job.id,
    data: {
      deliveryId: d.id,
      customerId: job.data.customerId,
      attempt: d.attempt,
      ...(d.traceparent && { traceparent: d.traceparent }),
    },
  }));
}
