/** `pnpm bench perf`'s latency phase: publish → first attempt, overall and stage by stage. */
import { rawClient } from '../../server/db/client';
import { platformScope, type Ctx } from '../../server/domain/context';
import { createCustomer } from '../../server/domain/tenants/customers';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { atRate, sleep, type Receiver } from './harness';
import { DATA, type PerfClient } from './perf-product';
import { stageSplit, type Sent } from './stages';

// Latency at half the sustained event rate, one subscription per event, spread over 20 customers
// (the end-to-end phase's tenant count). One customer alone is held to its cap of attempts in
// flight (CUSTOMER_MAX_IN_FLIGHT, 10): at 10 per round trip of about 40 ms it cannot take 250
// events/s, and the figure would measure its queue behind the cap, not the pipeline.
export async function measureLatency(ctx: Ctx, rx: Receiver, client: PerfClient, ingest: { perSecond: number }) {
  const { publish } = client;
  const latCustomers: string[] = [];
  for (let c = 0; c < 20; c++) {
    const cus = await createCustomer(ctx, platformScope, { name: `Latency ${c}` });
    await createSubscription(ctx, platformScope, { customerId: cus.id, url: `${rx.url}/ok`, eventTypes: ['*'] });
    latCustomers.push(cus.id);
  }
  await sleep(2000);
  // Half the sustained rate of single publishes (measured above), one subscription per event.
  const rate = Math.max(5, Math.round(ingest.perSecond / 2));
  const sent: Sent = new Map();
  await atRate(rate, 20_000, async (i) => {
    const t = Date.now();
    const id = await publish({ type: 'order.created', customerId: latCustomers[i % latCustomers.length], data: DATA });
    sent.set(id, { at: t, committed: Date.now() });
  });
  // Every event's first attempt counts, however late (up to a minute): none is left out of the percentiles.
  const arrived = () => rx.arrivals.filter((a) => sent.has(a.id)).length;
  const latWait = Date.now();
  while (arrived() < sent.size && Date.now() - latWait < 60_000) await sleep(200);
  const lat = rx.arrivals.filter((a) => sent.has(a.id)).map((a) => a.at - sent.get(a.id)!.at);
  // The same events stage by stage (bench/lib/stages.ts): which hop the latency is made of.
  const firstArrival = new Map<string, number>();
  for (const a of rx.arrivals) if (sent.has(a.id) && !firstArrival.has(a.id)) firstArrival.set(a.id, a.at);
  const latStages = await stageSplit(rawClient(ctx.db), sent, (id) => firstArrival.get(id));
  return { rate, sent, lat, latStages };
}
