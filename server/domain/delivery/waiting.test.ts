import { describe, expect, it } from 'vitest';
import { deliveryWaiting, subscriptionWaiting, type DeliveryClock, type SubscriptionGate } from './waiting';

const now = new Date('2026-01-01T12:00:00Z');
const at = (s: number) => new Date(now.getTime() + s * 1000);
const closed: SubscriptionGate = {
  active: true,
  disabledReason: null,
  breakerState: 'closed',
  breakerOpenedAt: null,
  breakerProbeAt: null,
  rateLimitPerSecond: null,
  retryPolicy: null,
};
const open: SubscriptionGate = { ...closed, breakerState: 'open', breakerOpenedAt: at(-10), breakerProbeAt: at(120) };
const fresh: DeliveryClock = {
  status: 'pending',
  queuedAt: null,
  attemptCount: 0,
  cycleStart: 0,
  cycleStartedAt: at(-1),
  nextAttemptAt: at(-1),
};
const retrying: DeliveryClock = { ...fresh, attemptCount: 2, cycleStartedAt: at(-60), nextAttemptAt: at(10) };

describe('subscriptionWaiting', () => {
  it('a disabled subscription is disabled (never healthy), a paused one paused, an open breaker waits for its probe', () => {
    expect(subscriptionWaiting({ ...closed, active: false, disabledReason: 'endpoint answered 410 Gone' })).toEqual({
      kind: 'disabled',
      reason: 'endpoint answered 410 Gone',
    });
    expect(subscriptionWaiting({ ...closed, active: false })).toEqual({ kind: 'paused' });
    expect(subscriptionWaiting(open)).toEqual({ kind: 'breaker', at: at(120).toISOString(), deadAt: null });
    expect(subscriptionWaiting({ ...open, breakerState: 'half_open' })).toEqual({
      kind: 'breaker',
      at: null,
      deadAt: null,
    });
    expect(subscriptionWaiting(closed)).toBeNull();
  });
});

describe('deliveryWaiting', () => {
  it('finished deliveries wait for nothing; held ones for their subscription', () => {
    expect(deliveryWaiting({ ...fresh, status: 'dead' }, closed, now, 1)).toBeNull();
    expect(deliveryWaiting({ ...fresh, status: 'held' }, { ...closed, active: false }, now, 1)).toEqual({
      kind: 'paused',
    });
    expect(
      deliveryWaiting({ ...fresh, status: 'held' }, { ...open, active: false, disabledReason: 'gone' }, now, 1),
    ).toEqual({
      kind: 'disabled',
      reason: 'gone',
    });
  });

  it('with a closed breaker: its schedule, then a slot in the window or the rate limit; admitted: sending', () => {
    expect(deliveryWaiting(retrying, closed, now, 1)).toEqual({ kind: 'scheduled', at: at(10).toISOString() });
    expect(deliveryWaiting(fresh, closed, now, 1)).toEqual({ kind: 'window' });
    expect(deliveryWaiting(fresh, { ...closed, rateLimitPerSecond: 5 }, now, 1)).toEqual({ kind: 'rate-limit' });
    expect(deliveryWaiting({ ...fresh, queuedAt: now }, open, now, 1)).toEqual({ kind: 'sending' });
  });

  it('behind an open breaker: a delivery first due while it is open waits for the probe, not for its own schedule', () => {
    const late: DeliveryClock = { ...fresh, cycleStartedAt: at(-1), nextAttemptAt: at(-1) };
    expect(deliveryWaiting(late, open, now, 1)).toEqual({ kind: 'breaker', at: at(120).toISOString(), deadAt: null });
    // Its window (here [2, 5, 10]: 17 s) ends before the probe: it says when it will be a dead letter.
    expect(deliveryWaiting(late, { ...open, retryPolicy: { scheduleSeconds: [2, 5, 10] } }, now, 1)).toEqual({
      kind: 'breaker',
      at: at(120).toISOString(),
      deadAt: at(16).toISOString(),
    });
  });

  it('behind an open breaker: a delivery it owes its schedule goes at its scheduled time (after a probe in flight)', () => {
    expect(deliveryWaiting(retrying, open, now, 1)).toEqual({ kind: 'scheduled', at: at(10).toISOString() });
    const dueBeforeOpening: DeliveryClock = { ...fresh, cycleStartedAt: at(-20), nextAttemptAt: at(-20) };
    expect(deliveryWaiting(dueBeforeOpening, open, now, 1)).toEqual({ kind: 'scheduled', at: at(-20).toISOString() });
    expect(deliveryWaiting(dueBeforeOpening, { ...open, breakerState: 'half_open' }, now, 1)).toEqual({
      kind: 'breaker',
      at: null,
      deadAt: null,
    });
  });
});
