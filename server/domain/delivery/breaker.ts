import { sql } from 'drizzle-orm';
import type { BreakerState } from '../../../drizzle/schema';
import type { Tx } from '../../db/client';
import type { Ctx } from '../context';
import type { SendResult } from './http-sender';

export type BreakerTransition = { from: BreakerState; to: BreakerState };

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
 *
 * Returns the breaker's state before and after the update (null when nothing was written). `from` is
 * read under the row lock, so a transition (closed to open: the subscription is failing; open or
 * half-open to closed: it recovered) is reported by exactly one of concurrent recorders, however
 * stale the state their attempts were loaded with.
 */
export async function updateBreaker(ctx: Ctx, tx: Tx, subscriptionId: string, signal: 'healthy' | 'unhealthy'): Promise<BreakerTransition | null> {
  const now = ctx.now();
  if (signal === 'healthy') {
    const changed = await tx.execute<{ from: BreakerState }>(sql`
      update subscriptions s set breaker_state = 'closed', breaker_failures = 0, breaker_opened_at = null, breaker_probe_at = null
      from (select id, breaker_state from subscriptions where id = ${subscriptionId} and (breaker_state <> 'closed' or breaker_failures <> 0) for update) old
      where s.id = old.id
      returning old.breaker_state as "from"`);
    return changed[0] ? { from: changed[0].from, to: 'closed' } : null;
  }
  // The cool-down is time of the retry schedule's kind: RETRY_TIME_SCALE compresses it too.
  const cooldown = ctx.config.breakerCooldownMs * ctx.config.retryTimeScale;
  const rows = await tx.execute<{ breaker_state: BreakerState; from: BreakerState }>(sql`
    update subscriptions set
      breaker_failures = subscriptions.breaker_failures + 1,
      breaker_state = case
        when subscriptions.breaker_state = 'half_open' then 'open'
        when subscriptions.breaker_state = 'closed' and subscriptions.breaker_failures + 1 >= ${ctx.config.breakerThreshold} then 'open'
        else subscriptions.breaker_state end,
      breaker_opened_at = case
        when subscriptions.breaker_state = 'closed' and subscriptions.breaker_failures + 1 >= ${ctx.config.breakerThreshold} then ${now.toISOString()}::timestamptz
        else subscriptions.breaker_opened_at end,
      breaker_probe_at = case
        when subscriptions.breaker_state = 'half_open' then ${now.toISOString()}::timestamptz + least(
          make_interval(secs => ${cooldown / 1000}::float8 * 4),
          greatest(make_interval(secs => ${cooldown / 1000}::float8), 2 * (${now.toISOString()}::timestamptz - coalesce(subscriptions.breaker_opened_at, ${now.toISOString()}::timestamptz))))
        when subscriptions.breaker_state = 'closed' and subscriptions.breaker_failures + 1 >= ${ctx.config.breakerThreshold} then ${now.toISOString()}::timestamptz + make_interval(secs => ${cooldown / 1000}::float8)
        else subscriptions.breaker_probe_at end,
      backlog = true
    from (select id, breaker_state from subscriptions where id = ${subscriptionId} for update) old
    where subscriptions.id = old.id
    returning subscriptions.breaker_state, old.breaker_state as "from"`);
  return rows[0] ? { from: rows[0].from, to: rows[0].breaker_state } : null;
}
