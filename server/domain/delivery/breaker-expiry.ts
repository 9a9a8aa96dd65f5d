import { and, eq, sql } from 'drizzle-orm';
import { subscriptions } from '../../../drizzle/schema';
import type { RetryPolicyOverride } from '../../../drizzle/schema';
import { rawClient } from '../../db/client';
import type { Ctx } from '../context';
import { owedBy } from './admission-sql';
import { deadHoldsLane } from './state';
import { perCustomer } from '../shards';
import { policyWindowSeconds, resolvePolicy } from './retry-policy';
import { emitOperational } from '../notices/emit';
import { expiredNotice, type ExpiredDelivery } from './notices';

/** The retry window of a subscription's policy, in ms of (scaled) time. */
function windowMs(ctx: Ctx, retryPolicy: RetryPolicyOverride | null): number {
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
                   lane_hold = ${deadHoldsLane(raw, raw`d.ordering_key`, raw`w.ordering`)}
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
const BEHIND_BREAKER = 'retry window ended while the circuit breaker held it back (no attempt made)';
const behindBreakerReason = (raw: ReturnType<typeof rawClient>) => raw`
  case when d.attempt_count > d.cycle_start
       then (d.attempt_count - d.cycle_start)::text || case when d.attempt_count - d.cycle_start = 1 then ' attempt' else ' attempts' end
            || ' made, the last ' || coalesce('answered ' || d.last_response_status::text, 'failed: ' || d.last_error, 'failed')
            || '; then the retry window ended while the circuit breaker held the next one back'
       else ${BEHIND_BREAKER} end`;
