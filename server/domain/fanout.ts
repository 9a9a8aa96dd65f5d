import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import { deliveries, events, subscriptions } from '../../drizzle/schema';
import type { Tx } from '../db/client';
import type { Ctx } from './context';
import { admit, flagBacklog } from './dispatch';
import { newId } from './ids';
import { matchesAny } from './patterns';

const PAGE = 1000;

export type FanOutEvent = { id: string; customerId: string | null; type: string; createdAt: Date };

/**
 * Creates one delivery per active subscription whose patterns match, inside the caller's
 * transaction, and admits them into their subscriptions' windows (server/domain/dispatch.ts).
 * Idempotent: `(event_id, subscription_id)` is unique, so a re-run after a crash creates nothing twice.
 * Subscriptions are read in pages of 1,000 and deliveries/jobs written in batches (10,000-subscriber
 * broadcasts do not make one query per row).
 * With `limit`, gives up (returns null, writes nothing) when more than `limit` subscriptions exist,
 * so the caller can hand the work to a fan-out job instead.
 */
export async function fanOutEvent(ctx: Ctx, tx: Tx, event: FanOutEvent, limit?: number): Promise<number | null> {
  let after = '';
  let created = 0;
  for (;;) {
    const page = await tx
      .select({ id: subscriptions.id, customerId: subscriptions.customerId, eventTypes: subscriptions.eventTypes })
      .from(subscriptions)
      .where(and(eq(subscriptions.active, true), gt(subscriptions.id, after), event.customerId ? eq(subscriptions.customerId, event.customerId) : undefined))
      .orderBy(asc(subscriptions.id))
      .limit(limit !== undefined ? limit + 1 : PAGE);
    if (limit !== undefined && page.length > limit) return null;
    const matching = page.filter((s) => matchesAny(s.eventTypes, event.type));
    if (matching.length > 0) {
      const rows = matching.map((s) => ({
        id: newId('delivery'),
        eventId: event.id,
        subscriptionId: s.id,
        customerId: s.customerId,
        eventType: event.type,
        nextAttemptAt: ctx.now(),
        cycleStartedAt: ctx.now(),
      }));
      const inserted = await tx
        .insert(deliveries)
        .values(rows)
        .onConflictDoNothing({ target: [deliveries.eventId, deliveries.subscriptionId] })
        .returning({ id: deliveries.id, subscriptionId: deliveries.subscriptionId });
      // Into each subscription's window if there is room (first attempt at once); the rest waits
      // in the table for the dispatcher.
      const touched = [...new Set(inserted.map((d) => d.subscriptionId))];
      await admit(ctx, tx, { subscriptionIds: touched, fast: true });
      await flagBacklog(tx, touched);
      created += inserted.length;
    }
    const last = page.at(-1);
    if (!last || page.length < PAGE || limit !== undefined) break;
    after = last.id;
  }
  const [{ total } = { total: created }] = await tx
    .select({ total: sql<number>`count(*)::int` })
    .from(deliveries)
    .where(eq(deliveries.eventId, event.id));
  await tx.update(events).set({ fannedOutAt: ctx.now(), deliveryCount: total }).where(eq(events.id, event.id));
  return total;
}

/** The `fanout` job: runs the fan-out of a broadcast (or very wide) event in its own transaction. */
export async function runFanOutJob(ctx: Ctx, eventId: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const [event] = await tx
      .select({ id: events.id, customerId: events.customerId, type: events.type, createdAt: events.createdAt })
      .from(events)
      .where(and(eq(events.id, eventId), isNull(events.fannedOutAt)))
      .for('update');
    if (!event) return; // already fanned out, or purged
    const count = await fanOutEvent(ctx, tx, event);
    ctx.log.debug({ eventId, customerId: event.customerId, deliveries: count }, 'event fanned out');
  });
}
