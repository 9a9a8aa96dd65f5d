import { and, eq, sql } from 'drizzle-orm';
import { subscriptions } from '../../../drizzle/schema';
import type { BreakerState } from '../../../drizzle/schema';
import type { Tx } from '../../db/client';
import type { Ctx } from '../context';
import type { SendResult } from './http-sender';

/**
 * What an outcome says about the endpoint's health: 2xx and ordinary 4xx (the endpoint answered;
 * the problem is the request) are healthy; timeouts, connection errors, 5xx and 429 are not.
 */
export function breakerSignal(outcome: SendResult['outcome']): 'healthy' | 'unhealthy' {
  if (outcome.kind === 'error') return outcome.errorClass === 'blocked_target' ? 'healthy' : 'unhealthy';
  if (outcome.status >= 500 || outcome.status === 429 || outcome.status === 408) return 'unhealthy';
  return 'healthy';
}

/**
 * Circuit breaker per subscription: `breakerThreshold` consecutive unhealthy outcomes open it;
 * while open, the dispatcher admits nothing for it (deliveries wait, no attempt is spent) until
 * `breaker_probe_at`, when it admits one probe (half-open). A healthy probe closes it and the
 * backlog drains at the subscription's window and rate limit; an unhealthy one re-opens it with a
 * doubled cool-down (capped at 4 cool-downs).
 */
/** Returns the breaker's state after the update (null when nothing changed). */
export async function updateBreaker(ctx: Ctx, tx: Tx, subscriptionId: string, signal: 'healthy' | 'unhealthy'): Promise<BreakerState | null> {
  const now = ctx.now();
  if (signal === 'healthy') {
    const changed = await tx
      .update(subscriptions)
      .set({ breakerState: 'closed', breakerFailures: 0, breakerOpenedAt: null, breakerProbeAt: null })
      .where(and(eq(subscriptions.id, subscriptionId), sql`(${subscriptions.breakerState} <> 'closed' or ${subscriptions.breakerFailures} <> 0)`))
      .returning({ id: subscriptions.id });
    return changed.length > 0 ? 'closed' : null;
  }
  // The cool-down is time of the retry schedule's kind: RETRY_TIME_SCALE compresses it too.
  const cooldown = ctx.config.breakerCooldownMs * ctx.config.retryTimeScale;
  const rows = await tx.execute<{ breaker_state: BreakerState }>(sql`
    update subscriptions set
      breaker_failures = breaker_failures + 1,
      breaker_state = case
        when breaker_state = 'half_open' then 'open'
        when breaker_state = 'closed' and breaker_failures + 1 >= ${ctx.config.breakerThreshold} then 'open'
        else breaker_state end,
      breaker_opened_at = case
        when breaker_state = 'closed' and breaker_failures + 1 >= ${ctx.config.breakerThreshold} then ${now.toISOString()}::timestamptz
        else breaker_opened_at end,
      breaker_probe_at = case
        when breaker_state = 'half_open' then ${now.toISOString()}::timestamptz + least(
          make_interval(secs => ${cooldown / 1000}::float8 * 4),
          greatest(make_interval(secs => ${cooldown / 1000}::float8), 2 * (${now.toISOString()}::timestamptz - coalesce(breaker_opened_at, ${now.toISOString()}::timestamptz))))
        when breaker_state = 'closed' and breaker_failures + 1 >= ${ctx.config.breakerThreshold} then ${now.toISOString()}::timestamptz + make_interval(secs => ${cooldown / 1000}::float8)
        else breaker_probe_at end,
      backlog = true
    where id = ${subscriptionId}
    returning breaker_state`);
  return rows[0]?.breaker_state ?? null;
}
