import { and, eq } from 'drizzle-orm';
import { deliveries } from '../../../drizzle/schema';
import type { Sql } from 'postgres';
import { rawClient, type Queryable } from '../../db/client';
import type { Tx } from '../../db/client';
import type { Ctx } from '../context';
import type { DeliveryStatus, LaneOrdering } from '../../../drizzle/schema/values';
import { flagBacklog } from './backlog';
import { perCustomer } from '../shards';
import type { Decision } from './retry-policy';

/**
 * The delivery state machine: every change of a delivery's status happens here, or in holds.ts
 * (pause, 410 and auto-disable hold; resume releases) and breaker-expiry.ts (the window ends behind
 * an open breaker), so the rules hold in one place:
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
 * cycle's start; the circuit breaker never stretches it (see breaker-expiry.ts).
 */

/** Status after an attempt's decision (410 holds: the subscription is disabled in the same transaction). */
function statusAfter(decision: Decision): DeliveryStatus {
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
 * The same rule in SQL, for statements that end deliveries dead in bulk, is `deadHoldsLane`: change both together.
 */
const holdsLane = (status: DeliveryStatus, orderingKey: string | null, ordering: LaneOrdering): boolean =>
  status === 'dead' && orderingKey !== null && ordering === 'strict';

/** `holdsLane` of a delivery that ends dead, in SQL: `orderingKey` and `ordering` are its columns (or values) in the statement. */
export const deadHoldsLane = (sql: Sql, orderingKey: ReturnType<Sql>, ordering: ReturnType<Sql>) =>
  sql`(${orderingKey} is not null and ${ordering} = 'strict')`;

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
export async function skipHead(
  ctx: Ctx,
  tx: Tx,
  delivery: { id: string; customerId: string },
): Promise<DeliveryStatus> {
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
export async function endUnsent(
  q: Queryable,
  customerId: string,
  ids: string[],
  reason: string,
  at: Date,
): Promise<number> {
  if (ids.length === 0) return 0;
  const now = at.toISOString();
  const r = await rawClient(q)`
    update deliveries set status = 'dead', queued_at = null, next_attempt_at = null, completed_at = ${now}::timestamptz,
      last_error = ${reason}, updated_at = ${now}::timestamptz
    where customer_id = ${customerId} and id = any(${ids}::text[]) and status in ('pending', 'held')`;
  return r.count;
}

/** Hands a delivery whose job met an open breaker back to the table, without spending an attempt. */
export async function deferToTable(
  ctx: Ctx,
  tx: Tx,
  delivery: { id: string; customerId: string },
  subscriptionId: string,
): Promise<void> {
  await tx
    .update(deliveries)
    .set({ queuedAt: null, updatedAt: ctx.now() })
    .where(
      and(
        eq(deliveries.id, delivery.id),
        eq(deliveries.customerId, delivery.customerId),
        eq(deliveries.status, 'pending'),
      ),
    );
  await flagBacklog(tx, [{ id: subscriptionId, customerId: delivery.customerId }]);
}

/** Why a delivery of an expunged event ended without being sent. */
export const EXPUNGED_REASON = 'payload expunged';

/**
 * A `deliver` job found its event expunged (a delivery created, or set to retry, after the expunge):
 * the delivery ends dead with the reason, nothing is sent.
 */
export async function endExpungedDelivery(
  ctx: Ctx,
  q: Queryable,
  customerId: string,
  deliveryId: string,
): Promise<void> {
  await endUnsent(q, customerId, [deliveryId], EXPUNGED_REASON, ctx.now());
}
