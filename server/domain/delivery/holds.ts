import { and, eq, inArray, sql } from 'drizzle-orm';
import { deliveries, subscriptions } from '../../../drizzle/schema';
import { rawClient, type Queryable } from '../../db/client';
import type { Tx } from '../../db/client';
import type { Ctx } from '../context';
import type { HeldOnResume } from '../../../drizzle/schema/values';
import { admit } from './admission';
import { flagBacklog } from './backlog';
import type { SubscriptionRef } from './subscription-ref';

/** Holds and their release (state.ts draws the whole state machine): pause, 410 and auto-disable hold, resume releases or discards. */
/**
 * Pause or 410: every pending delivery of the subscription becomes held, including those in its
 * window (their jobs then find them no longer pending and complete as stale). An attempt already on
 * the wire is recorded normally; a retry it schedules on a paused subscription is held by `sweepStates`.
 */
export async function holdPending(ctx: Ctx, tx: Queryable, sub: SubscriptionRef): Promise<number> {
  const now = ctx.now().toISOString();
  const r = await rawClient(tx)`
    update deliveries set status = 'held', queued_at = null, updated_at = ${now}::timestamptz
    where subscription_id = ${sub.id} and customer_id = ${sub.customerId} and status = 'pending'`;
  return r.count;
}

/**
 * Hookrelay switches a subscription off on its own (410 Gone, auto-disable): the one place that
 * does. Inactive with `reason`, every pending delivery held (nothing is dropped: re-enabling
 * releases them). Once: a subscription already off keeps its first reason, and this returns false.
 */
export async function disableSubscription(ctx: Ctx, tx: Tx, sub: SubscriptionRef, reason: string): Promise<boolean> {
  const changed = await tx
    .update(subscriptions)
    .set({ active: false, disabledReason: reason, updatedAt: ctx.now() })
    .where(
      and(eq(subscriptions.id, sub.id), eq(subscriptions.customerId, sub.customerId), eq(subscriptions.active, true)),
    )
    .returning({ id: subscriptions.id });
  await holdPending(ctx, tx, sub);
  return changed.length > 0;
}

/**
 * Resume: the held deliveries either start a fresh retry cycle now, in publish order (delivery ids are
 * time-ordered, and admission takes equal due times by id), or, when the user chose to discard them,
 * become dead letters with that reason (still replayable until retention).
 */
export async function resumeHeld(
  ctx: Ctx,
  tx: Tx,
  sub: SubscriptionRef,
  mode: HeldOnResume = 'release',
): Promise<number> {
  const subscriptionId = sub.id;
  const now = ctx.now().toISOString();
  const raw = rawClient(tx);
  if (mode === 'discard') {
    const r = await raw`
      update deliveries set status = 'dead', queued_at = null, next_attempt_at = null, completed_at = ${now}::timestamptz,
             last_error = 'discarded when the subscription was resumed', updated_at = ${now}::timestamptz
      where subscription_id = ${subscriptionId} and customer_id = ${sub.customerId} and status = 'held'`;
    return r.count;
  }
  const r = await raw`
    update deliveries set status = 'pending', queued_at = null, cycle_start = attempt_count, cycle_started_at = ${now}::timestamptz,
           next_attempt_at = ${now}::timestamptz, updated_at = ${now}::timestamptz
    where subscription_id = ${subscriptionId} and customer_id = ${sub.customerId} and status = 'held'`;
  if (r.count > 0) {
    await admit(ctx, tx, { subscriptions: [sub], fast: true });
    await flagBacklog(tx, [sub]);
  }
  return r.count;
}

/** Holds one delivery whose job found its subscription disabled. */
export async function holdOne(ctx: Ctx, tx: Tx, delivery: { id: string; customerId: string }): Promise<void> {
  await tx
    .update(deliveries)
    .set({ status: 'held', queuedAt: null, updatedAt: ctx.now() })
    .where(
      and(
        eq(deliveries.id, delivery.id),
        eq(deliveries.customerId, delivery.customerId),
        eq(deliveries.status, 'pending'),
      ),
    );
}

/**
 * Self-healing for the races between a pause/resume and a concurrent fan-out or attempt (which read
 * the subscription without a lock): a pending delivery waiting in the table for a subscription that is
 * off is held; a held delivery of a subscription that is on again is released.
 */
export async function sweepStates(ctx: Ctx): Promise<{ held: number; released: number }> {
  const raw = rawClient(ctx.db);
  const now = ctx.now().toISOString();
  const held = await raw`
    update deliveries d set status = 'held', updated_at = ${now}::timestamptz
    from subscriptions s
    where s.id = d.subscription_id and s.customer_id = d.customer_id and not s.active and d.status = 'pending' and d.queued_at is null`;
  const stray = await ctx.db
    .selectDistinct({ id: deliveries.subscriptionId, customerId: deliveries.customerId })
    .from(deliveries)
    .innerJoin(
      subscriptions,
      and(eq(subscriptions.id, deliveries.subscriptionId), eq(subscriptions.customerId, deliveries.customerId)),
    )
    .where(and(eq(deliveries.status, 'held'), eq(subscriptions.active, true)));
  let released = 0;
  for (const sub of stray) released += await ctx.db.transaction((tx) => resumeHeld(ctx, tx, sub, 'release'));
  return { held: held.count, released };
}

/** Held deliveries per subscription (what a resume would release). */
export async function heldCounts(ctx: Ctx, subscriptionIds: string[]): Promise<Map<string, number>> {
  if (subscriptionIds.length === 0) return new Map();
  const rows = await ctx.db
    .select({ id: deliveries.subscriptionId, n: sql<number>`count(*)::int` })
    .from(deliveries)
    .where(and(inArray(deliveries.subscriptionId, subscriptionIds), eq(deliveries.status, 'held')))
    .groupBy(deliveries.subscriptionId);
  return new Map(rows.map((r) => [r.id, r.n]));
}
