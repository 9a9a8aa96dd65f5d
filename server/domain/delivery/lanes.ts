import { rawClient } from '../../db/client';
import { recordAudit } from '../audit/log';
import type { Ctx, Scope } from '../context';
import { DomainError, notFound } from '../errors';
import { assertWritable, ownerOf } from '../scope';
import { admit } from './admission';
import { flagBacklog } from './backlog';
import { skipHead } from './state';
import type { DeliveryStatus } from '../../../drizzle/schema/values';

/**
 * Ordering lanes. An event published with an `orderingKey` puts each of its deliveries in a lane:
 * (subscription, key). A lane's deliveries are attempted one at a time, in publish order: admission
 * takes only a lane's head (admission-sql.ts, `laneHead`), so the next one is admitted when the head's
 * attempt is recorded as a success or a dead letter. A failing head holds its lane through its
 * retries; other lanes, unkeyed deliveries and other subscriptions flow meanwhile. A dead head moves
 * the lane on, unless the subscription's `ordering` is `strict`: then the dead letter blocks its
 * lane (`lane_hold`) until it is replayed (it goes first again) or skipped (here).
 */

/** A lane is blocked when its head failed at least once in its cycle, or is a dead letter holding it. */
export type BlockedLane = {
  orderingKey: string;
  head: {
    deliveryId: string;
    eventId: string;
    status: DeliveryStatus;
    attemptCount: number;
    lastAttemptAt: string | null;
    lastResponseStatus: number | null;
    lastError: string | null;
    nextAttemptAt: string | null;
  };
  /** Deliveries of the lane behind its head. */
  waiting: number;
};

type HeadRow = {
  ordering_key: string;
  id: string;
  event_id: string;
  status: DeliveryStatus;
  lane_hold: boolean;
  attempt_count: number;
  cycle_start: number;
  queued_at: string | null;
  last_attempt_at: string | null;
  last_response_status: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  waiting: number;
};

/** The open rows of a subscription's lanes (deliveries_lane_idx): still to be done, or holding a strict lane. */
const OPEN = `(status in ('pending', 'held') or lane_hold)`;

async function subscriptionOf(
  ctx: Ctx,
  scope: Scope,
  subscriptionId: string,
): Promise<{ id: string; customerId: string }> {
  const owner = await ownerOf(ctx, scope, 'subscriptions', subscriptionId);
  const sql = rawClient(ctx.db);
  const [found] = owner
    ? await sql<{ id: string }[]>`select id from subscriptions where id = ${subscriptionId} and customer_id = ${owner}`
    : [];
  if (!owner || !found) throw notFound('subscription');
  return { id: subscriptionId, customerId: owner };
}

/**
 * `GET /subscriptions/{id}/lanes`: the subscription's blocked lanes, by key, `limit` at a time after
 * key `cursor`. Reads every open row of the subscription's lanes (what waits behind heads), so its
 * cost grows with the keyed backlog, not with the table.
 */
export async function listBlockedLanes(
  ctx: Ctx,
  scope: Scope,
  subscriptionId: string,
  input: { limit: number; cursor?: string | undefined },
): Promise<{ data: BlockedLane[]; nextCursor: string | null }> {
  const sub = await subscriptionOf(ctx, scope, subscriptionId);
  const sql = rawClient(ctx.db);
  const rows = await sql<HeadRow[]>`
    with open as (
      select ordering_key, id, event_id, status, lane_hold, attempt_count, cycle_start, queued_at, last_attempt_at, last_response_status,
             last_error, next_attempt_at,
             row_number() over (partition by ordering_key order by event_id) as rn, count(*) over (partition by ordering_key) as n
      from deliveries
      where customer_id = ${sub.customerId} and subscription_id = ${sub.id} and ordering_key is not null and ${sql.unsafe(OPEN)}
        ${input.cursor === undefined ? sql`` : sql`and ordering_key > ${input.cursor}`}
    )
    select ordering_key, id, event_id, status, lane_hold, attempt_count, cycle_start, queued_at, last_attempt_at, last_response_status,
           last_error, next_attempt_at, (n - 1)::int as waiting
    from open
    where rn = 1 and (lane_hold or (status = 'pending' and attempt_count > cycle_start))
    order by ordering_key
    limit ${input.limit + 1}`;
  const page = rows.slice(0, input.limit);
  return { data: page.map(laneView), nextCursor: rows.length > input.limit ? page.at(-1)!.ordering_key : null };
}

/** A timestamp as the raw client reads it (PostgreSQL's text), in ISO 8601. */
const iso = (v: string | null) => (v === null ? null : new Date(v).toISOString());

function laneView(r: HeadRow): BlockedLane {
  return {
    orderingKey: r.ordering_key,
    head: {
      deliveryId: r.id,
      eventId: r.event_id,
      status: r.status,
      attemptCount: r.attempt_count,
      lastAttemptAt: iso(r.last_attempt_at),
      lastResponseStatus: r.last_response_status,
      lastError: r.last_error,
      nextAttemptAt: iso(r.next_attempt_at),
    },
    waiting: r.waiting,
  };
}

/**
 * `POST /subscriptions/{id}/lanes/skip`: moves a blocked lane on past its head. A head that is a
 * dead letter holding a strict lane stops holding it; a failing head that is still pending (or held)
 * becomes a dead letter that says it was skipped (still replayable). The lane's next delivery is
 * admitted at once. A lane that is not blocked, or whose head's attempt is in flight, is a 409:
 * nothing changes.
 */
export async function skipLaneHead(
  ctx: Ctx,
  scope: Scope,
  subscriptionId: string,
  orderingKey: string,
): Promise<{ orderingKey: string; skippedDeliveryId: string; status: DeliveryStatus }> {
  assertWritable(scope);
  const sub = await subscriptionOf(ctx, scope, subscriptionId);
  return ctx.db.transaction(async (tx) => {
    const sql = rawClient(tx);
    const [head] = await sql<HeadRow[]>`
      select ordering_key, id, event_id, status, lane_hold, attempt_count, cycle_start, queued_at, last_attempt_at, last_response_status,
             last_error, next_attempt_at, 0 as waiting
      from deliveries
      where customer_id = ${sub.customerId} and subscription_id = ${sub.id} and ordering_key = ${orderingKey} and ${sql.unsafe(OPEN)}
      order by event_id limit 1
      for update`;
    const blocked = head && (head.lane_hold || (head.status !== 'succeeded' && head.attempt_count > head.cycle_start));
    if (!head || !blocked)
      throw new DomainError('conflict', `lane "${orderingKey}" is not blocked`, { field: 'orderingKey' });
    if (head.queued_at && head.status === 'pending')
      throw new DomainError(
        'conflict',
        `the head of lane "${orderingKey}" is being attempted now; try again once its attempt is recorded`,
        {
          field: 'orderingKey',
        },
      );
    const status = await skipHead(ctx, tx, { id: head.id, customerId: sub.customerId });
    await recordAudit(ctx, tx, scope, {
      customerId: sub.customerId,
      action: 'delivery.lane_skipped',
      target: { kind: 'delivery', id: head.id },
      before: { status: head.status, laneHold: head.lane_hold },
      after: { status, laneHold: false, subscriptionId: sub.id, orderingKey },
    });
    if ((await admit(ctx, tx, { subscriptions: [sub], fast: true })).length === 0) await flagBacklog(tx, [sub]);
    return { orderingKey, skippedDeliveryId: head.id, status };
  });
}
