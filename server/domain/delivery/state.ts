import { and, eq, inArray, sql } from 'drizzle-orm';
import { deliveries, subscriptions } from '../../../drizzle/schema';
import type { RetryPolicyOverride } from '../../../drizzle/schema';
import { rawClient, type Queryable } from '../../db/client';
import type { Tx } from '../../db/client';
import type { Ctx } from '../context';
import type { DeliveryStatus, HeldOnResume, LaneOrdering } from '../../../drizzle/schema/values';
import { admit } from './admission';
import { owedBy } from './admission-sql';
import { flagBacklog } from './backlog';
import type { SubscriptionRef } from './subscription-ref';
import { perCustomer } from '../shards';
import { policyWindowSeconds, resolvePolicy, type Decision } from './retry-policy';
import { emitOperational } from '../notices/emit';
import { expiredNotice, type ExpiredDelivery } from './notices';

/**
 * The delivery state machine: every change of a delivery's status happens here, so the rules hold
 * in one place:
 *
 *   (fan-out) ──► pending ◄──────────── held ◄── (fan-out to a paused/disabled subscription)
 *                   │  ▲    pause/410 ──►  │
 *                   │  └── resume (new cycle, publish order)
 *        attempt ───┤                      └── resume with discard ──► dead
 *                   ├──► succeeded
 *                   └──► dead ◄── window ended behind an open breaker (no attempt)
 *        replay: succeeded | dead ──► pending (new cycle)
 *
 * A held delivery spends no attempt and no retry window; it leaves only at retention. A pending
 * delivery's window (its retry policy's total schedule, scaled by RETRY_TIME_SCALE) counts from its
 * cycle's start; the circuit breaker never stretches it (see `expireBehindBreaker`).
 */

/** Status after an attempt's decision (410 holds: the subscription is disabled in the same transaction). */
export function statusAfter(decision: Decision): DeliveryStatus {
  switch (decision.action) {
    case 'succeeded':
      return 'succeeded';
    case 'retry':
      return 'pending';
    case 'dead':
      return 'dead';
    case 'gone':
      return 'held';
  }
}

/**
 * A delivery that ends dead blocks its ordering lane when its subscription's lanes are `strict`
 * (lanes.ts): the deliveries behind it wait until it is replayed or skipped. Otherwise the lane moves on.
 */
export const holdsLane = (status: DeliveryStatus, orderingKey: string | null, ordering: LaneOrdering): boolean =>
  status === 'dead' && orderingKey !== null && ordering === 'strict';

/** A recorded attempt as its delivery takes it (record.ts derives it from the attempt's outcome). */
export type AttemptRecord = {
  id: string;
  customerId: string;
  attempt: number;
  startedAt: Date;
  responseStatus: number | null;
  /** The delivery's `last_error`: the attempt's error, or for a dead letter why it ended. */
  error: string | null;
  decision: Decision;
  /** The delivery's ordering lane and its subscription's lane rule (`holdsLane`). */
  orderingKey: string | null;
  ordering: LaneOrdering;
};

/**
 * After attempts: every recorded delivery moves on (`statusAfter`), in one statement per shard. A delivery held while its attempt was in
 * flight (its subscription was paused or disabled meanwhile) stays held when the attempt asks for a
 * retry: the retry waits for the resume like every other held delivery (and is discarded with them
 * if the user says so). A success or a dead letter is recorded as what it is.
 */
export async function afterAttempts(ctx: Ctx, tx: Queryable, recorded: AttemptRecord[]): Promise<void> {
  const now = ctx.now().toISOString();
  await perCustomer(
    ctx,
    recorded,
    (o) => o.customerId,
    async (group, customerId) => {
      const cols = {
        id: group.map((o) => o.id),
        customer: group.map((o) => o.customerId),
        status: group.map((o) => statusAfter(o.decision)),
        attempt: group.map((o) => String(o.attempt)),
        started: group.map((o) => String(o.startedAt.getTime())),
        code: group.map((o) => (o.responseStatus === null ? null : String(o.responseStatus))),
        error: group.map((o) => o.error),
        next: group.map((o) => (o.decision.action === 'retry' ? String(o.decision.at.getTime()) : null)),
        done: group.map((o) => (o.decision.action === 'succeeded' || o.decision.action === 'dead' ? 't' : 'f')),
        laneHold: group.map((o) => (holdsLane(statusAfter(o.decision), o.orderingKey, o.ordering) ? 't' : 'f')),
      };
      // Every column travels as text[] and is cast in SQL: postgres.js (as Drizzle configures it)
      // passes timestamptz values through unserialised, which breaks timestamptz[] parameters. Times
      // travel as epoch milliseconds: to_timestamp(float8) is immutable, which Citus requires of a
      // function applied to a column in an UPDATE (text::timestamptz depends on the time zone).
      await rawClient(tx)`
        update deliveries d set
          status = case when d.status = 'held' and v.status = 'pending' then 'held' else v.status end, attempt_count = v.attempt::int,
          last_attempt_at = to_timestamp(v.started::float8 / 1000), last_response_status = v.code::int,
          last_error = v.error, next_attempt_at = to_timestamp(v.next::float8 / 1000), queued_at = null, updated_at = ${now}::timestamptz,
          completed_at = case when v.done::bool then ${now}::timestamptz else null end, lane_hold = v.lane_hold::bool
        from unnest(${cols.id}::text[], ${cols.customer}::text[], ${cols.status}::text[], ${cols.attempt}::text[], ${cols.started}::text[],
                    ${cols.code}::text[], ${cols.error}::text[], ${cols.next}::text[], ${cols.done}::text[], ${cols.laneHold}::text[])
             as v(id, customer_id, status, attempt, started, code, error, next, done, lane_hold)
        where d.id = v.id and d.customer_id = v.customer_id ${customerId ? rawClient(tx)`and d.customer_id = ${customerId}` : rawClient(tx)``}`;
    },
  );
}

/** Status of a new delivery: a paused or disabled subscription holds it. */
export const initialStatus = (subscriptionActive: boolean): DeliveryStatus => (subscriptionActive ? 'pending' : 'held');

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
    .where(and(eq(subscriptions.id, sub.id), eq(subscriptions.customerId, sub.customerId), eq(subscriptions.active, true)))
    .returning({ id: subscriptions.id });
  await holdPending(ctx, tx, sub);
  return changed.length > 0;
}

/**
 * Resume: the held deliveries either start a fresh retry cycle now, in publish order (delivery ids are
 * time-ordered, and admission takes equal due times by id), or, when the user chose to discard them,
 * become dead letters with that reason (still replayable until retention).
 */
export async function resumeHeld(ctx: Ctx, tx: Tx, sub: SubscriptionRef, mode: HeldOnResume = 'release'): Promise<number> {
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

/**
 * Replay: a succeeded or dead delivery starts a new retry cycle now (same webhook-id). Returns the ids
 * that moved (a delivery already pending or held is left alone). Priority 1 is live traffic, 0 a bulk
 * replay (admitted after live traffic).
 */
export async function restartCycle(
  ctx: Ctx,
  tx: Queryable,
  customerId: string,
  ids: string[],
  opts: { priority: number; from: DeliveryStatus[] },
): Promise<Array<{ id: string; subscriptionId: string }>> {
  if (ids.length === 0) return [];
  const now = ctx.now().toISOString();
  return rawClient(tx)<Array<{ id: string; subscriptionId: string }>>`
    update deliveries set status = 'pending', queued_at = null, cycle_start = attempt_count, cycle_started_at = ${now}::timestamptz,
           next_attempt_at = ${now}::timestamptz, replay_count = replay_count + 1, priority = ${opts.priority}, completed_at = null, lane_hold = false,
           updated_at = ${now}::timestamptz
    where customer_id = ${customerId} and id = any(${ids}::text[]) and status = any(${opts.from}::text[])
    returning id, subscription_id as "subscriptionId"`;
}

/**
 * Skip, from a blocked ordering lane (lanes.ts): a dead letter holding its strict lane stops holding
 * it; a pending or held head becomes a dead letter that says it was skipped (replayable like any).
 * Returns the head's status after.
 */
export async function skipHead(ctx: Ctx, tx: Tx, delivery: { id: string; customerId: string }): Promise<DeliveryStatus> {
  const now = ctx.now().toISOString();
  const [row] = await rawClient(tx)<{ status: DeliveryStatus }[]>`
    update deliveries set lane_hold = false, updated_at = ${now}::timestamptz,
           status = case when status in ('pending', 'held') then 'dead' else status end,
           next_attempt_at = case when status in ('pending', 'held') then null else next_attempt_at end,
           queued_at = null,
           completed_at = case when status in ('pending', 'held') then ${now}::timestamptz else completed_at end,
           last_error = case when status in ('pending', 'held') then 'skipped from its ordering lane' || coalesce(' (last: ' || last_error || ')', '')
                             else last_error end
    where id = ${delivery.id} and customer_id = ${delivery.customerId}
    returning status`;
  return row!.status;
}

/**
 * Expunge (lifecycle/expunge.ts): these deliveries of an expunged event, if still pending or held,
 * end dead with `reason` and no attempt: nothing is left to send. Returns how many ended.
 */
export async function endUnsent(q: Queryable, customerId: string, ids: string[], reason: string, at: Date): Promise<number> {
  if (ids.length === 0) return 0;
  const now = at.toISOString();
  const r = await rawClient(q)`
    update deliveries set status = 'dead', queued_at = null, next_attempt_at = null, completed_at = ${now}::timestamptz,
      last_error = ${reason}, updated_at = ${now}::timestamptz
    where customer_id = ${customerId} and id = any(${ids}::text[]) and status in ('pending', 'held')`;
  return r.count;
}

/** Hands a delivery whose job met an open breaker back to the table, without spending an attempt. */
export async function deferToTable(ctx: Ctx, tx: Tx, delivery: { id: string; customerId: string }, subscriptionId: string): Promise<void> {
  await tx
    .update(deliveries)
    .set({ queuedAt: null, updatedAt: ctx.now() })
    .where(and(eq(deliveries.id, delivery.id), eq(deliveries.customerId, delivery.customerId), eq(deliveries.status, 'pending')));
  await flagBacklog(tx, [{ id: subscriptionId, customerId: delivery.customerId }]);
}

/** Holds one delivery whose job found its subscription disabled. */
export async function holdOne(ctx: Ctx, tx: Tx, delivery: { id: string; customerId: string }): Promise<void> {
  await tx
    .update(deliveries)
    .set({ status: 'held', queuedAt: null, updatedAt: ctx.now() })
    .where(and(eq(deliveries.id, delivery.id), eq(deliveries.customerId, delivery.customerId), eq(deliveries.status, 'pending')));
}

/** The retry window of a subscription's policy, in ms of (scaled) time. */
export function windowMs(ctx: Ctx, retryPolicy: RetryPolicyOverride | null): number {
  return policyWindowSeconds(resolvePolicy(retryPolicy)) * 1000 * ctx.config.retryTimeScale;
}

/**
 * The breaker holds attempts back; it never keeps a delivery past its window. Every delivery waiting
 * behind a breaker that is not closed, whose retry window has ended, becomes a dead letter in bulk,
 * without an attempt, with a reason that says so. (With a closed breaker a due delivery is attempted,
 * and `decide` ends it when its window is spent.)
 */
export async function expireBehindBreaker(ctx: Ctx): Promise<number> {
  const subs = await ctx.db
    .select({
      id: subscriptions.id,
      customerId: subscriptions.customerId,
      retryPolicy: subscriptions.retryPolicy,
      openedAt: subscriptions.breakerOpenedAt,
      ordering: subscriptions.ordering,
    })
    .from(subscriptions)
    .where(and(sql`${subscriptions.breakerState} <> 'closed'`, eq(subscriptions.active, true)));
  if (subs.length === 0) return 0;
  const now = ctx.now();
  // The deliveries die and `delivery.dead` is emitted for each, in one transaction.
  return ctx.db.transaction(async (tx) => {
    const dead = (
      await perCustomer(
        ctx,
        subs,
        (s) => s.customerId,
        (group, customerId) => {
          const raw = rawClient(tx);
          // Cut-offs travel as epoch milliseconds (to_timestamp(float8) is immutable; see record.ts).
          const cutoffs = group.map((s) => String(now.getTime() - windowMs(ctx, s.retryPolicy)));
          const opened = group.map((s) => String((s.openedAt ?? now).getTime()));
          // Deliveries the breaker owes their schedule (`owedBy`) are never expired here: their next
          // attempt goes out as a probe, and `decide` ends them like any other.
          return raw<Array<ExpiredDelivery & { lastError: string }>>`
            update deliveries d set status = 'dead', next_attempt_at = null, completed_at = ${now.toISOString()}::timestamptz,
                   last_error = ${behindBreakerReason(raw)}, updated_at = ${now.toISOString()}::timestamptz,
                   lane_hold = d.ordering_key is not null and w.ordering = 'strict'
            from unnest(${group.map((s) => s.id)}::text[], ${group.map((s) => s.customerId)}::text[], ${cutoffs}::text[], ${opened}::text[],
                        ${group.map((s) => s.ordering)}::text[])
                 as w(id, customer_id, cutoff, opened, ordering)
            where d.subscription_id = w.id and d.customer_id = w.customer_id ${customerId ? raw`and d.customer_id = ${customerId}` : raw``}
              and d.status = 'pending' and d.queued_at is null and d.cycle_started_at <= to_timestamp(w.cutoff::float8 / 1000)
              and not ${owedBy(raw, 'd', raw`to_timestamp(w.opened::float8 / 1000)`)}
              -- A keyed delivery not yet attempted in its cycle has no window running (admission-sql.ts, laneCycleStart).
              and (d.ordering_key is null or d.attempt_count > d.cycle_start)
            returning d.id, d.event_id as "eventId", d.subscription_id as "subscriptionId", d.customer_id as "customerId", d.event_type as "eventType",
                      d.attempt_count as "attemptCount", d.last_error as "lastError"`;
        },
      )
    ).flat();
    await emitOperational(
      ctx,
      tx,
      dead.map((d) => expiredNotice(d, d.lastError)),
    );
    return dead.length;
  });
}

/**
 * Why a delivery expired behind the breaker, true to what happened in its cycle: "no attempt made",
 * or how many were made and what the last one met, and that the breaker held the next one. (Under
 * `owedBy` only the first kind expires here; the second is said right should that ever change.)
 */
export const BEHIND_BREAKER = 'retry window ended while the circuit breaker held it back (no attempt made)';
const behindBreakerReason = (raw: ReturnType<typeof rawClient>) => raw`
  case when d.attempt_count > d.cycle_start
       then (d.attempt_count - d.cycle_start)::text || case when d.attempt_count - d.cycle_start = 1 then ' attempt' else ' attempts' end
            || ' made, the last ' || coalesce('answered ' || d.last_response_status::text, 'failed: ' || d.last_error, 'failed')
            || '; then the retry window ended while the circuit breaker held the next one back'
       else ${BEHIND_BREAKER} end`;

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
    .innerJoin(subscriptions, and(eq(subscriptions.id, deliveries.subscriptionId), eq(subscriptions.customerId, deliveries.customerId)))
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

/** Why a delivery of an expunged event ended without being sent. */
export const EXPUNGED_REASON = 'payload expunged';

/**
 * A `deliver` job found its event expunged (a delivery created, or set to retry, after the expunge):
 * the delivery ends dead with the reason, nothing is sent.
 */
export async function endExpungedDelivery(ctx: Ctx, q: Queryable, customerId: string, deliveryId: string): Promise<void> {
  await endUnsent(q, customerId, [deliveryId], EXPUNGED_REASON, ctx.now());
}
