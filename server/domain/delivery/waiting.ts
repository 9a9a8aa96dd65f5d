import type { BreakerState, RetryPolicyOverride } from '../../../drizzle/schema';
import { policyWindowSeconds, resolvePolicy } from './retry-policy';

/**
 * What a delivery (or a subscription's waiting deliveries) is waiting for, and when it will go: the
 * one answer every read and every page shows, so the breaker's state reads the same everywhere.
 * Pure: the clock and the time scale are arguments.
 *
 * - `scheduled`: its next attempt is at `at` (a past `at`: due now). Behind an open breaker this is
 *   a delivery the breaker owes its schedule (see admission-sql.ts `owedBy`): it goes out as the probe.
 * - `sending`: admitted; its attempt is queued for a worker or on the wire.
 * - `window`: due, waiting for a free slot in the subscription's in-flight window (`maxInFlight`).
 * - `rate-limit`: due, waiting for the subscription's rate limit.
 * - `breaker`: held back by the open circuit breaker until its probe at `at` (null: a probe is in
 *   flight now); `deadAt`: its retry window ends first, and then it becomes a dead letter.
 * - `paused` / `disabled` (`reason`: why Hookrelay disabled it): held until the subscription is resumed.
 */
export type Waiting =
  | { kind: 'scheduled'; at: string }
  | { kind: 'sending' }
  | { kind: 'window' }
  | { kind: 'rate-limit' }
  | { kind: 'breaker'; at: string | null; deadAt: string | null }
  | { kind: 'paused' }
  | { kind: 'disabled'; reason: string };

/** The subscription state the answer depends on. */
export type SubscriptionGate = {
  active: boolean;
  disabledReason: string | null;
  breakerState: BreakerState;
  breakerOpenedAt: Date | null;
  breakerProbeAt: Date | null;
  rateLimitPerSecond: number | null;
  retryPolicy: RetryPolicyOverride | null;
};

export type DeliveryClock = {
  status: string;
  queuedAt: Date | null;
  attemptCount: number;
  cycleStart: number;
  cycleStartedAt: Date;
  nextAttemptAt: Date | null;
};

/** What holds a subscription's deliveries back as a whole (null: nothing; each follows its schedule). */
export function subscriptionWaiting(sub: SubscriptionGate): Waiting | null {
  if (!sub.active) return sub.disabledReason ? { kind: 'disabled', reason: sub.disabledReason } : { kind: 'paused' };
  if (sub.breakerState === 'closed') return null;
  return {
    kind: 'breaker',
    at: sub.breakerState === 'open' ? (sub.breakerProbeAt?.toISOString() ?? null) : null,
    deadAt: null,
  };
}

/** What one delivery waits for (null: it is finished, succeeded or dead). */
export function deliveryWaiting(d: DeliveryClock, sub: SubscriptionGate, now: Date, timeScale: number): Waiting | null {
  if (d.status !== 'pending' && d.status !== 'held') return null;
  const gate = subscriptionWaiting(sub);
  if (d.status === 'held' || gate?.kind === 'paused' || gate?.kind === 'disabled') return gate ?? { kind: 'paused' };
  if (d.queuedAt) return { kind: 'sending' };
  const next = d.nextAttemptAt ?? now;
  const due = next.getTime() <= now.getTime();
  if (sub.breakerState !== 'closed') {
    const owed =
      d.attemptCount > d.cycleStart ||
      (sub.breakerOpenedAt !== null && next.getTime() <= sub.breakerOpenedAt.getTime());
    // A probe in flight goes first; an owed delivery then goes on its schedule.
    if (owed && !(due && sub.breakerState === 'half_open')) return { kind: 'scheduled', at: next.toISOString() };
    const probe =
      sub.breakerState === 'open' && sub.breakerProbeAt
        ? new Date(Math.max(sub.breakerProbeAt.getTime(), next.getTime()))
        : null;
    const windowEnd = new Date(
      d.cycleStartedAt.getTime() + policyWindowSeconds(resolvePolicy(sub.retryPolicy)) * 1000 * timeScale,
    );
    const deadAt = !owed && (probe === null || windowEnd.getTime() < probe.getTime()) ? windowEnd.toISOString() : null;
    return { kind: 'breaker', at: probe?.toISOString() ?? null, deadAt };
  }
  if (!due) return { kind: 'scheduled', at: next.toISOString() };
  return sub.rateLimitPerSecond !== null ? { kind: 'rate-limit' } : { kind: 'window' };
}
