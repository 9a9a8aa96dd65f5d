/** `pnpm bench perf`'s end-to-end phase: deliveries/s from batch publishes over HTTP to attempt rows, with the RSS of web and worker. */
import type { ChildProcess } from 'node:child_process';
import { sql } from 'drizzle-orm';
import type { Ctx } from '../../server/domain/context';
import type { CostProbe } from './cost';
import { forDuration, rssMb, sleep, type Receiver } from './harness';
import { DATA, type PerfClient } from './perf-product';

/** Events to customers from `nextCustomer`, each fanning out to its customer's 10 subscriptions. */
export async function measureEndToEnd(
  ctx: Ctx,
  rx: Receiver,
  client: PerfClient,
  probe: CostProbe,
  nextCustomer: () => string | undefined,
  { web, worker }: { web: ChildProcess; worker: ChildProcess },
) {
  const { api, key } = client;
  const before = rx.arrivals.length;
  const e2eFrom = await probe.begin();
  const rss = { web: 0, worker: 0 };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      rss.web = Math.max(rss.web, (await rssMb(web.pid)) ?? 0);
      rss.worker = Math.max(rss.worker, (await rssMb(worker.pid)) ?? 0);
      await sleep(1000);
    }
  })();
  // Published in batches of 20 events (8 clients), so that publishing outruns delivering and
  // the figure is the worker's: single publishes are measured above.
  const DURATION = 30_000;
  const t0 = Date.now();
  const E2E_BATCH = 20;
  const pubBatches = await forDuration(DURATION, 8, async () => {
    const events = Array.from({ length: E2E_BATCH }, () => ({
      type: 'order.created',
      customerId: nextCustomer(),
      data: DATA,
    }));
    const res = await api.request({
      path: '/api/v1/events/batch',
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    await res.body.dump();
    if (res.statusCode !== 202) throw new Error(`batch publish answered ${res.statusCode}`);
  });
  const pub = { perSecond: pubBatches.perSecond * E2E_BATCH };
  // Count what arrived during the publishing window after a 5 s warm-up, then let the rest drain.
  const steady = rx.arrivals.slice(before).filter((a) => a.at >= t0 + 5000 && a.at < t0 + DURATION);
  const e2ePerSecond = Math.round(steady.length / ((DURATION - 5000) / 1000));
  // From the count of batches, not the rounded rate: a rate rounded up made the drain wait for
  // deliveries that were never published, until its time limit.
  const expected = pubBatches.count * E2E_BATCH * 10;
  const drainStart = Date.now();
  // The latency phase below must not run behind this backlog: wait for it (up to 5 minutes).
  while (rx.arrivals.length - before < expected * 0.99 && Date.now() - drainStart < 300_000) await sleep(500);
  const drainedIn = (Date.now() - drainStart) / 1000;
  const deliveryCost = await probe.end(e2eFrom, rx.arrivals.length - before);
  await probe.close();
  sampling = false;
  await sampler;
  const [attemptRows] = await ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from attempts`);
  return { pub, e2ePerSecond, drainedIn, deliveryCost, rss, attemptRows };
}
