import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { broadcasts, deliveries } from '../../drizzle/schema';
import { platformScope } from '../../server/domain/context';
import { publishEvent } from '../../server/domain/events/publish';
import { createCustomer } from '../../server/domain/tenants/customers';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { waitFannedOut } from '../support/engine';
import { killHard, sessionsWaitingOnLock, startFaultBed, type FaultBed } from '../support/fault';
import { stopWorker } from '../support/worker-process';

/**
 * A worker SIGKILLed in the middle of a broadcast's fan-out job. The broadcast goes to 1,500
 * subscriptions of 150 customers: two pages of the fan-out (server/domain/events/fanout.ts). To
 * kill it at a known point, another session holds a row lock on a subscription of the second page,
 * so the job's transaction has written the first page's deliveries and waits on the second: the
 * worker is killed there, with `events.fanned_out_at` still null. A second worker must take the job
 * over promptly (not after the job's 5-minute expiry) and fan the event out exactly once: one
 * delivery row per subscription, each delivered, duplicates at the receiver (if any) carrying the
 * event's webhook-id.
 */
const CUSTOMERS = 150;
const PER_CUSTOMER = 10;
const SUBSCRIPTIONS = CUSTOMERS * PER_CUSTOMER;

let bed: FaultBed;

beforeAll(async () => {
  bed = await startFaultBed('fault_fanout_kill');
});

afterAll(() => bed?.stop());

describe('SIGKILL of a worker during a broadcast fan-out', () => {
  it('fans the broadcast out exactly once and delivers it to every subscription', { timeout: 300_000 }, async () => {
    const { ctx, receiver } = bed;
    for (let i = 0; i < CUSTOMERS; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, k) => {
          const c = await createCustomer(ctx, platformScope, { name: `Broadcast ${i + k}` });
          for (let j = 0; j < PER_CUSTOMER; j++) {
            await createSubscription(ctx, platformScope, {
              customerId: c.id,
              url: `${receiver.url}/c${i + k}/s${j}`,
              eventTypes: ['*'],
            });
          }
        }),
      );
    }
    const subs = await ctx.db.execute<{ id: string; url: string }>(sql`select id, url from subscriptions order by id`);
    expect(subs.length).toBe(SUBSCRIPTIONS);

    // Hold a lock on a subscription of the fan-out's second page (pages of 1,000, by id): the job's
    // delivery insert for that page waits on it (the foreign key check), mid-transaction.
    const lock = await bed.holdLock((tx) => tx`select id from subscriptions where id = ${subs[1200]!.id} for update`);

    const victim = await bed.startWorker({ RETRY_TIME_SCALE: '0.01' });
    const event = await publishEvent(ctx, platformScope, {
      type: 'broadcast.fault',
      data: { hello: 'everyone' },
      broadcast: true,
    });
    expect(event.deliveries).toBeNull(); // a broadcast is fanned out by a job

    // The fan-out job is waiting on the lock, its first page written but not committed.
    await expect
      .poll(() => sessionsWaitingOnLock(ctx, 'hookrelay-worker', 'insert into "?deliveries"? '), {
        timeout: 60_000,
        interval: 100,
      })
      .toBe(1);
    const jobs = await ctx.db.execute<{ state: string }>(sql`select state from pgboss.job where name = 'fanout'`);
    expect(jobs.map((j) => j.state)).toEqual(['active']);
    const [before] = await ctx.db
      .select({ fannedOutAt: broadcasts.fannedOutAt })
      .from(broadcasts)
      .where(eq(broadcasts.id, event.id));
    expect(before!.fannedOutAt).toBeNull();

    await killHard(victim);
    await lock.release();
    const replacement = await bed.startWorker({ RETRY_TIME_SCALE: '0.01' });

    // The replacement takes the job over and fans the event out, once.
    await waitFannedOut(ctx, event.id, broadcasts, 120_000);
    const [after] = await ctx.db
      .select({ count: broadcasts.deliveryCount })
      .from(broadcasts)
      .where(eq(broadcasts.id, event.id));
    expect(after!.count).toBe(SUBSCRIPTIONS);
    const [rows] = await ctx.db
      .select({ n: sql<number>`count(*)::int`, subs: sql<number>`count(distinct ${deliveries.subscriptionId})::int` })
      .from(deliveries)
      .where(eq(deliveries.eventId, event.id));
    expect(rows).toEqual({ n: SUBSCRIPTIONS, subs: SUBSCRIPTIONS });

    // Every subscription's URL gets the event; every request carries the event's webhook-id.
    const urls = new Set(subs.map((s) => new URL(s.url).pathname));
    await expect
      .poll(
        () => {
          const seen = new Set(receiver.received.map((r) => r.path));
          return [...urls].filter((u) => !seen.has(u)).length;
        },
        { timeout: 120_000, interval: 250 },
      )
      .toBe(0);
    await expect
      .poll(
        async () =>
          (
            await ctx.db.execute<{ n: number }>(
              sql`select count(*)::int as n from deliveries where status <> 'succeeded'`,
            )
          )[0]!.n,
        {
          timeout: 60_000,
        },
      )
      .toBe(0);
    expect(receiver.received.filter((r) => r.headers['webhook-id'] !== event.id)).toEqual([]);
    console.info(
      `fan-out SIGKILL: ${SUBSCRIPTIONS} subscriptions, ${receiver.received.length} requests (${receiver.received.length - urls.size} duplicates)`,
    );

    expect(await stopWorker(replacement)).toBe(0);
  });
});
