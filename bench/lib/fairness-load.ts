/**
 * `pnpm bench fairness`'s load: time compressed K× (one "minute" = 6 s of real time), events published
 * at a steady rate per customer with their publish times, and latencies read from the receiver.
 */
import { platformScope, type Ctx } from '../../server/domain/context';
import { publishEvent } from '../../server/domain/events/publish';
import { sleep, type Receiver } from './harness';
import { percentile } from './table';

export const K = 10; // time compression
export const MINUTE_MS = 60_000 / K;

export type Published = Map<string, number>; // event id -> publish time

export function latencies(rx: Receiver, published: Published, from: number, to: number): number[] {
  const out: number[] = [];
  for (const a of rx.arrivals) {
    if (a.at < from || a.at >= to) continue;
    const t = published.get(a.id);
    if (t !== undefined) out.push(a.at - t);
  }
  return out;
}

/** Publishes `perSecond` events/s for each customer in `customers` until `until`, recording times. */
export async function publishLoop(
  ctx: Ctx,
  customers: string[],
  perSecond: number,
  until: () => boolean,
  published: Published,
) {
  const interval = 1000 / perSecond;
  await Promise.all(
    customers.map(async (customerId) => {
      let next = Date.now();
      while (!until()) {
        const t = Date.now();
        const e = await publishEvent(ctx, platformScope, { type: 'order.created', data: { at: t }, customerId });
        published.set(e.id, t);
        next += interval;
        const wait = next - Date.now();
        if (wait > 0) await sleep(wait);
      }
    }),
  );
}

/** Throughput and latency of `n` events published across `customers` (once each, as fast as they are accepted). */
export async function healthyThroughput(ctx: Ctx, rx: Receiver, customers: string[], n: number) {
  const published: Published = new Map();
  const before = rx.arrivals.length;
  const t0 = Date.now();
  await Promise.all(
    customers.map(async (customerId, ci) => {
      for (let i = ci; i < n; i += customers.length) {
        const t = Date.now();
        const e = await publishEvent(ctx, platformScope, { type: 'order.created', data: { i }, customerId });
        published.set(e.id, t);
      }
    }),
  );
  while (rx.arrivals.filter((a) => published.has(a.id)).length < n && Date.now() - t0 < 120_000) await sleep(100);
  const mine = rx.arrivals.slice(before).filter((a) => published.has(a.id));
  const last = Math.max(...mine.map((a) => a.at));
  const lat = mine.map((a) => a.at - published.get(a.id)!);
  return {
    perSecond: Math.round((mine.length / (last - t0)) * 1000),
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
  };
}
