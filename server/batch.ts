/**
 * Coalesces single calls into batches: calls made while a batch is open (up to `maxSize`, or for
 * `maxWaitMs` after the first) are run by one `run(items)`; each caller gets its own result.
 * The worker loads the jobs of one fetch with one query and records finished attempts in one
 * transaction; the web process accepts concurrent publishes in one transaction (group commit).
 * Per-item round trips and commits are what bound throughput on this stack.
 *
 * `maxInFlight`: at most this many runs at once. While they run, new calls gather into the next
 * batch, which starts as soon as one of them ends: under load batches grow instead of runs
 * multiplying, so each item costs fewer round trips just when round trips cost most.
 * `stallMs`: a run older than this no longer counts against `maxInFlight`, so one run stuck on a
 * lock (one customer's) does not hold up everyone's batches behind it.
 */
export function batcher<T, R>(
  run: (items: T[]) => Promise<R[]>,
  opts: { maxSize: number; maxWaitMs: number; maxInFlight?: number; stallMs?: number },
): (item: T) => Promise<R> {
  type Entry = { item: T; resolve: (r: R) => void; reject: (e: unknown) => void };
  const maxInFlight = opts.maxInFlight ?? Infinity;
  const stallMs = opts.stallMs ?? Infinity;
  let open: Entry[] = [];
  let timer: NodeJS.Timeout | null = null;
  let recheck: NodeJS.Timeout | null = null;
  /** The open batch's wait is over (or it is full): it starts when a run slot is free. */
  let due = false;
  /** Start times of the runs in flight. */
  const running = new Set<{ at: number }>();

  const cancel = () => {
    if (timer) {
      clearTimeout(timer);
      clearImmediate(timer as unknown as NodeJS.Immediate);
    }
    timer = null;
  };
  const schedule = () => {
    timer ??=
      opts.maxWaitMs === 0 ? (setImmediate(flush) as unknown as NodeJS.Timeout) : setTimeout(flush, opts.maxWaitMs);
  };
  /** Runs that still count against the limit; when all slots are taken, when the oldest stops counting. */
  const busy = (now: number) => {
    const young = [...running].filter((r) => now - r.at < stallMs);
    return { count: young.length, freeAt: young.length ? Math.min(...young.map((r) => r.at)) + stallMs : now };
  };

  function flush(): void {
    cancel();
    due = open.length > 0;
    if (!due) return;
    const now = Date.now();
    const b = busy(now);
    if (b.count >= maxInFlight) {
      // Wait for a run to end, or for the oldest to count as stalled.
      if (stallMs !== Infinity && !recheck)
        recheck = setTimeout(() => ((recheck = null), flush()), Math.max(1, b.freeAt - now));
      return;
    }
    due = false;
    const batch = open.slice(0, opts.maxSize);
    open = open.slice(batch.length);
    const slot = { at: now };
    running.add(slot);
    run(batch.map((e) => e.item))
      .then(
        (results) => batch.forEach((e, i) => e.resolve(results[i]!)),
        (err: unknown) => batch.forEach((e) => e.reject(err)),
      )
      .finally(() => {
        running.delete(slot);
        // What gathered meanwhile starts now if its wait is over or it is full, else at its timer.
        if (due || open.length >= opts.maxSize) flush();
      });
    if (open.length) schedule();
  }

  return (item: T) =>
    new Promise<R>((resolve, reject) => {
      open.push({ item, resolve, reject });
      if (open.length >= opts.maxSize) flush();
      else schedule();
    });
}
