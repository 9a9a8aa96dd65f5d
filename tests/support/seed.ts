import { eq } from 'drizzle-orm';
import { attempts, deliveries, events, subscriptions } from '../../drizzle/schema';
import type { Ctx } from '../../server/domain/context';
import { deliveryIdOf, newId } from '../../server/domain/ids';

/**
 * Rows written straight into the tables, for tests that need a history the engine would take too
 * long to make.
 */

/**
 * `count` dead letters of `customerId` to `subscriptionId` (events `invoice.paid` with
 * `data: { n }`), as the retry policy leaves them after twelve failed attempts, made at `at` (default
 * now) and kept for `keepDays` from then (default 1). Returns the event ids.
 */
export async function seedDeadLetters(
  ctx: Ctx,
  customerId: string,
  subscriptionId: string,
  count: number,
  { at = new Date(), keepDays = 1 }: { at?: Date; keepDays?: number } = {},
): Promise<string[]> {
  const eventIds: string[] = [];
  for (let b = 0; b < count; b += 1000) {
    const evs = Array.from({ length: Math.min(1000, count - b) }, (_, i) => {
      const id = newId('event');
      return {
        id,
        customerId,
        type: 'invoice.paid',
        body: JSON.stringify({ id, type: 'invoice.paid', timestamp: at.toISOString(), data: { n: b + i } }),
        createdAt: at,
        retentionUntil: new Date(at.getTime() + keepDays * 86400_000),
        fannedOutAt: at,
        deliveryCount: 1,
      };
    });
    await ctx.db.insert(events).values(evs);
    await ctx.db.insert(deliveries).values(
      evs.map((e) => ({
        id: deliveryIdOf(e.id, subscriptionId),
        eventId: e.id,
        subscriptionId,
        customerId,
        eventType: 'invoice.paid',
        status: 'dead' as const,
        attemptCount: 12,
        cycleStartedAt: at,
        completedAt: at,
        createdAt: at,
      })),
    );
    eventIds.push(...evs.map((e) => e.id));
  }
  return eventIds;
}

/** One attempt of a seeded delivery: how many minutes before `ctx.now()` it started, whether it succeeded, its latency. */
type SeededTry = { minutesAgo: number; ok: boolean; ms: number };

/**
 * A finished delivery of a fresh `order.created` event with the given attempts, times counted back
 * from `ctx.now()`: the event made two hours ago, the delivery completed at its last attempt, and a
 * failed attempt that is not the last scheduled a retry (as the attempt path records them).
 */
export async function seedDelivery(
  ctx: Ctx,
  customerId: string,
  subscriptionId: string,
  status: 'succeeded' | 'dead',
  tries: SeededTry[],
) {
  const now = ctx.now();
  const eventId = newId('event');
  const deliveryId = newId('delivery');
  const at = (m: number) => new Date(now.getTime() - m * 60_000);
  await ctx.db.insert(events).values({
    id: eventId,
    customerId,
    type: 'order.created',
    body: '{}',
    createdAt: at(120),
    retentionUntil: at(-43200),
  });
  await ctx.db.insert(deliveries).values({
    id: deliveryId,
    eventId,
    subscriptionId,
    customerId,
    eventType: 'order.created',
    status,
    attemptCount: tries.length,
    completedAt: at(Math.min(...tries.map((t) => t.minutesAgo))),
  });
  for (const [i, t] of tries.entries()) {
    await ctx.db.insert(attempts).values({
      id: newId('attempt'),
      deliveryId,
      subscriptionId,
      customerId,
      attemptSeq: i + 1,
      trigger: i === 0 ? 'initial' : 'retry',
      status: t.ok ? 'succeeded' : 'failed',
      url: 'http://127.0.0.1/hook',
      requestHeaders: {},
      responseStatus: t.ok ? 200 : 500,
      latencyMs: t.ms,
      startedAt: at(t.minutesAgo),
      nextRetryAt: !t.ok && i < tries.length - 1 ? at(tries[i + 1]!.minutesAgo) : null,
    });
  }
  return deliveryId;
}

/**
 * Opens `subscriptionId`'s circuit breaker by hand, as five failures in a row leave it, with its
 * next probe an hour away: longer than any test waits.
 */
export async function openBreaker(ctx: Ctx, subscriptionId: string) {
  await ctx.db
    .update(subscriptions)
    .set({
      breakerState: 'open',
      breakerFailures: 5,
      breakerOpenedAt: new Date(),
      breakerProbeAt: new Date(Date.now() + 3600_000),
    })
    .where(eq(subscriptions.id, subscriptionId));
}
