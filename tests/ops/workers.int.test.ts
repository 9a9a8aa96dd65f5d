import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { attempts, workerHeartbeats } from '../../drizzle/schema';
import { platformScope } from '../../server/domain/context';
import { createCustomer } from '../../server/domain/tenants/customers';
import { publishEvent } from '../../server/domain/events/publish';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { liveWorkers } from '../../server/domain/upkeep/heartbeats';
import { killHard, startFaultBed, waitForSucceeded, type FaultBed } from '../support/fault';
import { startReceiver } from '../support/receiver';
import { stopWorker } from '../support/worker-process';

/**
 * Three real worker processes share the queue; one is SIGKILLed mid-load. Every accepted event is
 * delivered (a repeat only ever carries the same webhook-id), each delivery has exactly one recorded
 * attempt, and each customer's concurrency stays within its cap (CUSTOMER_MAX_IN_FLIGHT, default 10)
 * across the processes (their fetches take turns: fetchCapped). The receiver records the maximum it
 * saw per customer; the test prints it and asserts the cap and that each customer came close to it.
 */
const CAP = 10;
const WORKERS = 3;
const CUSTOMERS = 4;
const EVENTS = 800;
const HEAD_START = 40;

let bed: FaultBed;

beforeAll(async () => {
  bed = await startFaultBed('ops_workers');
});
afterAll(() => bed?.stop());

describe('three workers, one SIGKILLed mid-load', () => {
  it('delivers every event, repeats only with the same webhook-id, and holds per-customer caps', async () => {
    const { ctx } = bed;
    const inFlight = new Map<number, number>();
    const maxInFlight = new Map<number, number>();
    const rx = await startReceiver(async (req) => {
      const c = (JSON.parse(req.body) as { data: { c: number } }).data.c;
      const now = (inFlight.get(c) ?? 0) + 1;
      inFlight.set(c, now);
      maxInFlight.set(c, Math.max(maxInFlight.get(c) ?? 0, now));
      await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 300)));
      inFlight.set(c, inFlight.get(c)! - 1);
      return { status: 200 };
    });
    const customers: string[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const c = await createCustomer(ctx, platformScope, { name: `Scale ${i}` });
      // A window (50) wider than the customer cap: only the cap can hold the customer back.
      await createSubscription(ctx, platformScope, {
        customerId: c.id,
        url: rx.url,
        eventTypes: ['*'],
        maxInFlight: 50,
        timeoutMs: 30_000,
      });
      customers.push(c.id);
    }

    // Small pools: three workers share the machine's PostgreSQL with other test files.
    const workerEnv = {
      CUSTOMER_MAX_IN_FLIGHT: String(CAP),
      WORKER_CONCURRENCY: '32',
      DELIVERY_JOB_EXPIRE_SECONDS: '10',
      DATABASE_POOL_MAX: '5',
      QUEUE_POOL_MAX: '3',
    };
    // One publisher per customer. A head start of HEAD_START events each is published before any
    // worker runs, so every customer has a backlog from the first fetch and its cap is the binding
    // limit (on a busy machine publishing alone did not always keep ahead of the cap).
    const ids: string[] = [];
    const publishFor = (from: number, to: number) =>
      Promise.all(
        customers.map(async (customerId, c) => {
          for (let i = from; i < to; i++) {
            ids.push((await publishEvent(ctx, platformScope, { type: 'invoice.paid', data: { c, i }, customerId })).id);
          }
        }),
      );
    await publishFor(0, HEAD_START);
    const spawned = await Promise.all(Array.from({ length: WORKERS }, () => bed.startWorker(workerEnv)));
    const t0 = Date.now();
    const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    await expect.poll(async () => (await liveWorkers(ctx)).length, { timeout: 60_000 }).toBe(WORKERS);
    console.log(`${elapsed()}: ${WORKERS} workers up`);

    // The rest is published while the workers deliver (it may still run when one is killed).
    const publishing = publishFor(HEAD_START, EVENTS / CUSTOMERS);
    await expect.poll(() => rx.received.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(EVENTS / 4);
    const victim = spawned[1]!;
    await killHard(victim); // killed by the signal
    const atKill = rx.received.length;
    console.log(`${elapsed()}: killed one worker after ${atKill} requests, ${ids.length} events published`);
    await publishing;
    const progress = setInterval(() => console.log(`${elapsed()}: ${rx.received.length} received`), 5000);

    await waitForSucceeded(ctx, EVENTS, 100_000, 1000);
    clearInterval(progress);
    console.log(`${elapsed()}: all delivered`);

    const received = new Map<string, string[]>();
    for (const r of rx.received)
      received.set(r.headers['webhook-id']!, [...(received.get(r.headers['webhook-id']!) ?? []), r.body]);
    // Every accepted event arrived; nothing arrived that was not published.
    for (const id of ids) expect(received.has(id)).toBe(true);
    expect(received.size).toBe(EVENTS);
    // Repeats (the killed worker's interrupted attempts, sent again) carry the same id and bytes.
    const repeats = [...received.values()].filter((bodies) => bodies.length > 1);
    for (const bodies of repeats) expect(new Set(bodies).size).toBe(1);
    // Exactly one recorded (successful) attempt per delivery: interrupted attempts were never recorded.
    expect(await ctx.db.$count(attempts, eq(attempts.status, 'succeeded'))).toBe(EVENTS);
    expect(await ctx.db.$count(attempts)).toBe(EVENTS);

    const worst = Math.max(...maxInFlight.values());
    console.log(
      `3 workers, 1 SIGKILLed after ${atKill} requests: ${EVENTS} delivered, ${repeats.length} repeated (same webhook-id); ` +
        `max concurrent per customer ${[...maxInFlight.entries()]
          .sort()
          .map(([c, m]) => `c${c}=${m}`)
          .join(' ')} (cap ${CAP})`,
    );
    // The workers' fetches take turns (fetchCapped), so the cap holds exactly across processes; a
    // killed worker's jobs stay active (counted) until they expire. Without the cap a customer
    // would reach its window (50) here.
    expect(worst).toBeLessThanOrEqual(CAP);
    // And it was the binding limit: each customer reached it.
    for (const m of maxInFlight.values()) expect(m).toBeGreaterThanOrEqual(CAP - 2);

    // The survivors stop cleanly; the killed worker's heartbeat row is left to go stale.
    const codes = await Promise.all([spawned[0]!, spawned[2]!].map((w) => stopWorker(w)));
    expect(codes).toEqual([0, 0]);
    expect(await ctx.db.select().from(workerHeartbeats)).toHaveLength(1);
    await rx.close();
  });
});
