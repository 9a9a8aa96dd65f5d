import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { bulkReplayItems, bulkReplays, deliveries } from '../../drizzle/schema';
import { platformScope } from '../../server/domain/context';
import { createBulkReplay, getBulkReplay } from '../../server/domain/replay/bulk';
import { createCustomer } from '../../server/domain/tenants/customers';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { JOB_HEARTBEAT_SECONDS } from '../../server/queue/catalog';
import { killHard, startFaultBed, waitForAllReceived, waitForAllSettled, type FaultBed } from '../support/fault';
import { seedDeadLetters } from '../support/seed';
import { stopWorker } from '../support/worker-process';

/**
 * A worker SIGKILLed in the middle of a bulk replay. 1,000 dead letters are replayed at 20 per
 * second (batches of 100 every 5 s), so the replay is some batches in when the worker is killed.
 * A second worker must take the replay job over promptly (not after the job's one-hour expiry) and
 * finish it from the stored cursor: status completed, every dead letter re-enqueued once
 * (enqueued == total) and re-sent; a letter is sent twice only if the killed worker had its
 * attempt in hand, and then with the same webhook-id. The replacement runs for longer than the
 * job's heartbeat period, so its refreshed heartbeat must keep the job its own.
 */
const N = 1000;
const RATE = 20;

let bed: FaultBed;

beforeAll(async () => {
  bed = await startFaultBed('fault_replay_kill', { reply: () => ({ status: 200, delayMs: 20 }) });
});

afterAll(() => bed?.stop());

describe('SIGKILL of a worker during a bulk replay', () => {
  it('resumes the replay from its cursor and re-sends every dead letter', { timeout: 300_000 }, async () => {
    const { ctx, receiver } = bed;
    const c = await createCustomer(ctx, platformScope, { name: 'Replayer' });
    const sub = await createSubscription(ctx, platformScope, {
      customerId: c.id,
      url: `${receiver.url}/replay`,
      eventTypes: ['*'],
      maxInFlight: 50,
    });

    // Yesterday's dead letters, as the retry policy leaves them.
    const eventIds = await seedDeadLetters(ctx, c.id, sub.id, N);

    const env = { REPLAY_RATE_PER_SECOND: String(RATE), RETRY_TIME_SCALE: '0.01' };
    const victim = await bed.startWorker(env);
    const replay = await createBulkReplay(ctx, platformScope, { customerId: c.id });
    expect(replay).toMatchObject({ status: 'running', total: N });

    const progress = async () => (await ctx.db.select().from(bulkReplays).where(eq(bulkReplays.id, replay.id)))[0]!;
    await expect
      .poll(async () => (await progress()).enqueued, { timeout: 60_000, interval: 100 })
      .toBeGreaterThanOrEqual(200);
    await killHard(victim);
    const atKill = await progress();
    expect(atKill.status).toBe('running');
    expect(atKill.enqueued).toBeLessThan(N);
    // What the killed worker may have had in hand: re-enqueued, not yet delivered.
    const inHand = new Set(
      (
        await ctx.db
          .select({ eventId: deliveries.eventId })
          .from(deliveries)
          .innerJoin(
            bulkReplayItems,
            and(eq(bulkReplayItems.deliveryId, deliveries.id), eq(bulkReplayItems.customerId, deliveries.customerId)),
          )
          .where(eq(deliveries.status, 'pending'))
      ).map((d) => d.eventId),
    );

    const replacement = await bed.startWorker(env);
    await expect.poll(async () => (await progress()).status, { timeout: 180_000, interval: 500 }).toBe('completed');
    const done = await progress();
    expect(done).toMatchObject({ total: N, enqueued: N });
    const [items] = await ctx.db
      .select({ n: sql<number>`count(distinct ${bulkReplayItems.deliveryId})::int` })
      .from(bulkReplayItems)
      .where(eq(bulkReplayItems.replayId, replay.id));
    expect(items!.n).toBe(N);

    // Every dead letter is re-sent; only an attempt the killed worker had in hand is sent twice.
    const ids = new Set(eventIds);
    await waitForAllReceived(receiver, eventIds, 120_000);
    await waitForAllSettled(ctx);
    expect(await getBulkReplay(ctx, platformScope, replay.id)).toMatchObject({
      status: 'completed',
      total: N,
      enqueued: N,
      delivered: N,
      failed: 0,
    });
    const count = new Map<string, number>();
    for (const r of receiver.received) {
      const id = r.headers['webhook-id']!;
      expect(ids.has(id), `unexpected webhook-id ${id}`).toBe(true);
      count.set(id, (count.get(id) ?? 0) + 1);
    }
    const twice = [...count].filter(([, n]) => n > 1).map(([id]) => id);
    expect(twice.filter((id) => !inHand.has(id))).toEqual([]);
    console.info(
      `replay SIGKILL: killed at ${atKill.enqueued} of ${N} re-enqueued (${inHand.size} of them not yet delivered); ` +
        `${receiver.received.length} requests, ${twice.length} letters sent twice (same webhook-id)`,
    );

    // The replay job was taken over once: the replacement, whose pacing alone kept it running for
    // longer than the heartbeat period, kept it (its heartbeat was refreshed; no second hand-over).
    expect(Math.floor((N - atKill.enqueued) / 100) * (100 / RATE)).toBeGreaterThan(JOB_HEARTBEAT_SECONDS);
    const jobs = await ctx.db.execute<{ state: string; retry_count: number }>(
      sql`select state, retry_count from pgboss.job where name = 'bulk-replay'`,
    );
    expect(jobs.map((j) => ({ state: j.state, retries: j.retry_count }))).toEqual([{ state: 'completed', retries: 1 }]);

    expect(await stopWorker(replacement)).toBe(0);
  });
});
