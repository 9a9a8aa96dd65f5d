import type { Job, FetchOptions } from 'pg-boss';
import type { Boss } from '../server/queue/boss';
import type { Logger } from '../server/log';

/**
 * A fetch loop over one pg-boss queue: keeps up to `concurrency` jobs in hand, fetches in batches
 * for the free slots, and settles each job on its own (one slow endpoint never pins a batch).
 * pg-boss's `work()` polls every 2 s and completes whole batches; both hurt latency and fairness here.
 * Stops fetching on `stop()` and waits for what is in hand (bounded by the caller's deadline).
 */
export type PollLoop = { stop(deadlineMs: number): Promise<number>; inFlight(): number };

export function pollQueue<T>(
  boss: Boss,
  queue: string,
  opts: { concurrency: number; batchSize: number; pollMs: number; fetch?: Omit<FetchOptions, 'batchSize'>; log: Logger },
  handle: (job: Job<T>) => Promise<void>,
): PollLoop {
  let running = true;
  let inFlight = 0;
  const inHand = new Set<Promise<void>>();
  let wake: (() => void) | null = null;
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => { wake = null; resolve(); }, ms);
      wake = () => { clearTimeout(t); wake = null; resolve(); };
    });

  const loop = (async () => {
    while (running) {
      const free = opts.concurrency - inFlight;
      if (free <= 0) {
        await nap(1000);
        continue;
      }
      let jobs: Job<T>[];
      try {
        jobs = await boss.fetch<T>(queue, { ...opts.fetch, batchSize: Math.min(free, opts.batchSize) });
      } catch (err) {
        opts.log.error({ err, queue }, 'fetch failed; retrying');
        await nap(1000);
        continue;
      }
      for (const job of jobs) {
        inFlight++;
        const p = handle(job)
          .catch(async (err: unknown) => {
            opts.log.error({ err, queue, jobId: job.id }, 'job failed; pg-boss will retry it');
            await boss.fail(queue, job.id, { message: err instanceof Error ? err.message : String(err) }).catch(() => {});
          })
          .finally(() => {
            inFlight--;
            inHand.delete(p);
            wake?.();
          });
        inHand.add(p);
      }
      if (jobs.length < Math.min(free, opts.batchSize) && running) await nap(opts.pollMs);
    }
  })();

  return {
    inFlight: () => inFlight,
    async stop(deadlineMs: number) {
      running = false;
      wake?.();
      await loop;
      const left = inFlight;
      await Promise.race([Promise.allSettled([...inHand]), new Promise((r) => setTimeout(r, deadlineMs))]);
      return left;
    },
  };
}
