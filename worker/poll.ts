import type { Job, FetchOptions } from 'pg-boss';
import type { Boss } from '../server/queue/boss';
import type { Logger } from '../server/log';
import { metrics } from '../server/metrics';

/**
 * A fetch loop over one pg-boss queue: keeps up to `concurrency` jobs in hand, fetches in batches
 * for the free slots, and settles each job on its own (one slow endpoint never pins a batch).
 * pg-boss's `work()` polls every 2 s and completes whole batches; both hurt latency and fairness here.
 *
 * `stop(deadlineMs)`: stops fetching, waits up to the deadline for the jobs in hand, then fails
 * (hands back) those still running, so pg-boss retries them on another worker after the queue's
 * retry delay (seconds) instead of after the job's expiry (DELIVERY_JOB_EXPIRE_SECONDS). A handed-back
 * deliver job that later finishes here anyway is harmless: the attempt it records makes the retried
 * job a no-op (attempt numbers), and a second send carries the same webhook-id.
 *
 * Jobs of a queue with a heartbeat (`heartbeatSeconds`, server/queue/catalog.ts) get it refreshed
 * every HEARTBEAT_REFRESH_MS while in hand, fenced to the attempt this loop fetched; when the process
 * dies the refreshes stop and pg-boss hands the job to another worker after `heartbeatSeconds`.
 */
const HEARTBEAT_REFRESH_MS = 5000;

/** `wake()`: fetch now instead of at the end of an idle nap (this process just queued work). */
export type PollLoop = {
  stop(deadlineMs: number): Promise<number>;
  inFlight(): number;
  wake(): void;
  readonly queue: string;
};

export function pollQueue<T>(
  boss: Boss,
  queue: string,
  opts: {
    concurrency: number;
    batchSize: number;
    pollMs: number;
    fetch?: Omit<FetchOptions, 'batchSize'>;
    /** How to fetch (default: pg-boss's fetch with `fetch`): the deliver queue serialises its fetches (fetchCapped). */
    fetchJobs?: (options: FetchOptions & { batchSize: number }) => Promise<Job<T>[]>;
    log: Logger;
    /** Ids worth logging about a job (e.g. its delivery id), added to error lines. */
    describe?: (job: Job<T>) => Record<string, unknown>;
    /**
     * How many of `concurrency`'s slots a job takes (default 1): a deliver job weighs its attempts.
     * A fetch asks for at most as many jobs as slots are free, so one fetch may overshoot by the
     * weight of its jobs past the first; the loop then waits for slots before fetching again.
     */
    weight?: (job: Job<T>) => number;
  },
  handle: (job: Job<T>) => Promise<void>,
): PollLoop {
  let running = true;
  const inHand = new Map<string, { job: Job<T>; done: Promise<void>; weight: number }>();
  let used = 0;
  /** Jobs failed back at the deadline: no longer ours, so their late errors are not failed again. */
  const handedBack = new Set<string>();
  let wake: (() => void) | null = null;
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(t);
        wake = null;
        resolve();
      };
    });

  const beat = setInterval(() => {
    const held = [...inHand.values()].map((h) => h.job).filter((j) => j.heartbeatSeconds && !handedBack.has(j.id));
    if (held.length === 0) return;
    boss
      .touch(
        queue,
        held.map((j) => ({ id: j.id, retryCount: j.retryCount })),
      )
      .catch((err: unknown) => {
        opts.log.warn({ err, queue, jobs: held.length }, 'job heartbeat failed; retrying at the next refresh');
      });
  }, HEARTBEAT_REFRESH_MS);
  beat.unref();

  const loop = (async () => {
    while (running) {
      const free = opts.concurrency - used;
      if (free <= 0) {
        await nap(1000);
        continue;
      }
      let jobs: Job<T>[];
      try {
        const options = { ...opts.fetch, batchSize: Math.min(free, opts.batchSize) };
        jobs = await (opts.fetchJobs ? opts.fetchJobs(options) : boss.fetch<T>(queue, options));
      } catch (err) {
        opts.log.error({ err, queue }, 'fetch failed; retrying');
        await nap(1000);
        continue;
      }
      for (const job of jobs) {
        const done = handle(job)
          .catch(async (err: unknown) => {
            if (handedBack.has(job.id)) return;
            metrics.jobFailures.inc({ queue });
            opts.log.error({ err, queue, jobId: job.id, ...opts.describe?.(job) }, 'job failed; pg-boss will retry it');
            await boss
              .fail(queue, job.id, { message: err instanceof Error ? err.message : String(err) })
              .catch(() => {});
          })
          .finally(() => {
            used -= inHand.get(job.id)?.weight ?? 0;
            inHand.delete(job.id);
            wake?.();
          });
        const weight = opts.weight?.(job) ?? 1;
        used += weight;
        inHand.set(job.id, { job, done, weight });
      }
      // Nap only when the queue had nothing to give. A short batch does not mean an empty queue: the
      // deliver queue's oldest ready jobs belong to a few customers, and pg-boss drops those past
      // their customer's cap from the batch, so the next fetch finds other customers' jobs; a nap
      // here would leave slots idle while jobs are ready (docs/performance.md).
      if (jobs.length === 0 && running) await nap(opts.pollMs);
    }
  })();

  return {
    queue,
    inFlight: () => inHand.size,
    wake: () => wake?.(),
    async stop(deadlineMs: number) {
      running = false;
      wake?.();
      await loop;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inHand.values()].map((h) => h.done)),
        new Promise((r) => (timer = setTimeout(r, Math.max(0, deadlineMs)))),
      ]);
      clearTimeout(timer);
      clearInterval(beat);
      const left = [...inHand.values()].map((h) => h.job);
      if (left.length === 0) return 0;
      for (const j of left) handedBack.add(j.id);
      try {
        await boss.fail(
          queue,
          left.map((j) => j.id),
          { message: 'worker shut down before the job finished; handed back for another worker' },
        );
        metrics.jobsHandedBack.inc({ queue }, left.length);
        opts.log.warn(
          { queue, jobs: left.map((j) => ({ jobId: j.id, ...opts.describe?.(j) })) },
          'shutdown deadline passed: unfinished jobs handed back to the queue',
        );
      } catch (err) {
        // The database is unreachable: pg-boss's expiry hands the jobs back instead (slower, same result).
        opts.log.error(
          { err, queue, jobs: left.length },
          'could not hand back unfinished jobs; they return when their lease expires',
        );
      }
      return left.length;
    },
  };
}
