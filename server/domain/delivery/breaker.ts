import { and, eq, sql } from 'drizzle-orm';
import { subscriptions, type BreakerState } from '../../../drizzle/schema';
import { rawClient, type Queryable, type Tx } from '../../db/client';
import type { Ctx } from '../context';
import type { SendResult } from './http-sender';
import type { SubscriptionRef } from './subscription-ref';

export type BreakerTransition = { from: BreakerState; to: BreakerState };

/**
 * What an outcome says about the endpoint's health: 2xx and ordinary 4xx (the endpoint answered;
 * the problem is the request) are healthy; timeouts, connection errors, 5xx and 429 are not. A
 * refused target and an attempt its transform cancelled end without a retry: healthy, so that a
 * half-open breaker's probe ending so does not leave it half-open. A failing transform is unhealthy
 * like a failing endpoint: the subscription delivers nothing, and the breaker spares running it on
 * every waiting delivery.
 */
export function breakerSignal(outcome: SendResult['outcome']): 'healthy' | 'unhealthy' {
  if (outcome.kind === 'error')
    return outcome.errorClass === 'blocked_target' || outcome.errorClass === 'cancelled' ? 'healthy' : 'unhealthy';
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
export async function updateBreaker(
  ctx: Ctx,
  tx: Tx,
  sub: SubscriptionRef,
  signal: 'healthy' | 'unhealthy',
): Promise<BreakerTransition | null> {
  const now = ctx.now();
  if (signal === 'healthy') {
    const changed = await tx.execute<{ from: BreakerState }>(sql`
      update subscriptions s set breaker_state = 'closed', breaker_failures = 0, breaker_opened_at = null, breaker_probe_at = null
      from (select id, breaker_state from subscriptions
            where id = ${sub.id} and customer_id = ${sub.customerId} and (breaker_state <> 'closed' or breaker_failures <> 0) for update) old
      where s.id = old.id and s.customer_id = ${sub.customerId}
      returning old.breaker_state as "from"`);
    return changed[0] ? { from: changed[0].from, to: 'closed' } : null;
  }
  // The cool-down is time of the retry schedule's kind: RETRY_TIME_SCALE compresses it too.
  const cooldown = ctx.config.breakerCooldownMs * ctx.config.retryTimeScale;
  // Read under the row lock, decided here, written back: one rule in one place, and no
  // time-zone-dependent arithmetic inside the UPDATE (Citus refuses that in CASE expressions).
  const [cur] = await tx
    .select({
      state: subscriptions.breakerState,
      failures: subscriptions.breakerFailures,
      openedAt: subscriptions.breakerOpenedAt,
      probeAt: subscriptions.breakerProbeAt,
    })
    .from(subscriptions)
    .where(and(eq(subscriptions.id, sub.id), eq(subscriptions.customerId, sub.customerId)))
    .for('update');
  if (!cur) return null;
  const next = unhealthyStep(cur, now, cooldown, ctx.config.breakerThreshold);
  await tx
    .update(subscriptions)
    .set({
      breakerFailures: cur.failures + 1,
      breakerState: next.state,
      breakerOpenedAt: next.openedAt,
      breakerProbeAt: next.probeAt,
      backlog: true,
    })
    .where(and(eq(subscriptions.id, sub.id), eq(subscriptions.customerId, sub.customerId)));
  return { from: cur.state, to: next.state };
}

/**
 * A probe was admitted into an open breaker's window (admission.ts, probe.ts): the breaker goes half-open until
 * the probe's outcome closes or re-opens it (`updateBreaker`). One statement per subscription (probes
 * are rare: one per cool-down of a failing endpoint), each on its customer's shard.
 */
export async function probeAdmitted(q: Queryable, subs: readonly SubscriptionRef[]): Promise<void> {
  const sql = rawClient(q);
  for (const s of subs)
    await sql`update subscriptions set breaker_state = 'half_open' where id = ${s.id} and customer_id = ${s.customerId} and breaker_state = 'open'`;
}

/**
 * The endpoint was fixed or replaced (a resume, a new URL, a new transform): the breaker closes with
 * its failures forgotten, and the subscription's backlog is looked at again. The columns for the
 * caller's update of the subscription row (which it holds locked).
 */
export function breakerReset() {
  return {
    breakerState: 'closed' as const,
    breakerFailures: 0,
    breakerOpenedAt: null,
    breakerProbeAt: null,
    backlog: true,
  };
}

type BreakerRow = { state: BreakerState; failures: number; openedAt: Date | null; probeAt: Date | null };

/**
 * An unhealthy outcome: a half-open breaker (its probe failed) re-opens with a doubled cool-down
 * (time since it opened, times two, between one and four cool-downs); a closed one opens at the
 * threshold with one cool-down; an open one stays as it is.
 */
export function unhealthyStep(
  cur: BreakerRow,
  now: Date,
  cooldownMs: number,
  threshold: number,
): Omit<BreakerRow, 'failures'> {
  if (cur.state === 'half_open') {
    const sinceOpened = now.getTime() - (cur.openedAt ?? now).getTime();
    const wait = Math.min(cooldownMs * 4, Math.max(cooldownMs, 2 * sinceOpened));
    return { state: 'open', openedAt: cur.openedAt, probeAt: new Date(now.getTime() + wait) };
  }
  if (cur.state === 'closed' && cur.failures + 1 >= threshold)
    return { state: 'open', openedAt: now, probeAt: new Date(now.getTime() + cooldownMs) };
  return { state: cur.state, openedAt: cur.openedAt, probeAt: cur.probeAt };
}
