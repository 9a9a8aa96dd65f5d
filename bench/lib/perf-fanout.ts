/** `pnpm bench perf`'s fan-out phase: one broadcast event to 10,000 subscriptions (100 customers × 100). */
import { sql } from 'drizzle-orm';
import { platformScope, type Ctx } from '../../server/domain/context';
import { createCustomer } from '../../server/domain/tenants/customers';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { sleep, type Receiver } from './harness';
import { DATA, type PerfClient } from './perf-product';

export async function measureFanout(ctx: Ctx, rx: Receiver, client: PerfClient) {
  const { publish } = client;
  for (let c = 0; c < 100; c++) {
    const cus = await createCustomer(ctx, platformScope, { name: `Fan ${c}` });
    const subs = Array.from({ length: 100 }, () =>
      createSubscription(ctx, platformScope, { customerId: cus.id, url: `${rx.url}/ok`, eventTypes: ['fanout.test'] }),
    );
    await Promise.all(subs);
  }
  const fanT0 = Date.now();
  const fanId = await publish({ type: 'fanout.test', data: DATA, broadcast: true });
  let fanned: { at: Date | null; n: number | null } = { at: null, n: null };
  while (Date.now() - fanT0 < 120_000) {
    const [e] = await ctx.db.execute<{ fanned_out_at: string | null; delivery_count: number | null }>(
      // A broadcast: `broadcasts` holds its total (each customer's copy in `events` only its own share).
      sql`select fanned_out_at, delivery_count from broadcasts where id = ${fanId}`,
    );
    if (e?.fanned_out_at) {
      fanned = { at: new Date(e.fanned_out_at), n: e.delivery_count };
      break;
    }
    await sleep(50);
  }
  while (rx.arrivals.filter((a) => a.id === fanId).length < 10_000 && Date.now() - fanT0 < 180_000) await sleep(200);
  const fanArrivals = rx.arrivals.filter((a) => a.id === fanId);
  const lastFan = Math.max(...fanArrivals.map((a) => a.at));
  const fanRowsPerSecond = fanned.at ? Math.round((fanned.n ?? 0) / ((fanned.at.getTime() - fanT0) / 1000)) : null;
  return { fanRowsPerSecond, fanArrivals, lastFan, fanT0 };
}
