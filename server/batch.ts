/**
 * Coalesces single calls into batches: calls made while a batch is open (up to `maxSize`, or for
 * `maxWaitMs` after the first) are run by one `run(items)`; each caller gets its own result.
 * The worker loads the jobs of one fetch with one query and records finished attempts in one
 * transaction; the web process accepts concurrent publishes in one transaction (group commit).
 * Per-item round trips and commits are what bound throughput on this stack.
 */
export function batcher<T, R>(run: (items: T[]) => Promise<R[]>, opts: { maxSize: number; maxWaitMs: number }): (item: T) => Promise<R> {
  let open: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  let timer: NodeJS.Timeout | null = null;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = open;
    open = [];
    if (batch.length === 0) return;
    run(batch.map((b) => b.item)).then(
      (results) => batch.forEach((b, i) => b.resolve(results[i]!)),
      (err: unknown) => batch.forEach((b) => b.reject(err)),
    );
  };

  return (item: T) =>
    new Promise<R>((resolve, reject) => {
      open.push({ item, resolve, reject });
      if (open.length >= opts.maxSize) flush();
      else timer ??= opts.maxWaitMs === 0 ? (setImmediate(flush) as unknown as NodeJS.Timeout) : setTimeout(flush, opts.maxWaitMs);
    });
}
