import type { Outcome } from './outcome';
import type { BreakerTransition } from './breaker';
import type { OperationalNotice } from '../notices/emit';

/**
 * The operational events that a batch of recorded attempts stands for (record.ts emits them in the
 * batch's transaction): breakers that opened (`subscription.failing`) or closed again after being
 * open (`subscription.recovered`), subscriptions Hookrelay disabled, deliveries that died.
 */
export type BreakerChange = BreakerTransition & { outcome: Outcome };
export type Disabling = { outcome: Outcome; reason: 'gone' | 'auto_disabled'; message: string };

const lastErrorOf = (o: Outcome): string | null => {
  const r = o.result.outcome;
  if (r.kind === 'error') return r.message;
  return r.status >= 200 && r.status < 300 ? null : `HTTP ${r.status}`;
};

const idsOf = (o: Outcome) => ({ customerId: o.row.delivery.customerId, subscriptionId: o.row.sub.id });

export function outcomeNotices(
  recorded: readonly Outcome[],
  breakers: readonly BreakerChange[],
  disabled: readonly Disabling[],
): OperationalNotice[] {
  const notices: OperationalNotice[] = [];
  for (const b of breakers) {
    if (b.from === 'closed' && b.to === 'open') {
      notices.push({
        type: 'subscription.failing',
        data: {
          ...idsOf(b.outcome),
          url: b.outcome.row.sub.url,
          reason: 'circuit_breaker_open',
          lastError: lastErrorOf(b.outcome),
        },
      });
    } else if (b.from !== 'closed' && b.to === 'closed') {
      notices.push({
        type: 'subscription.recovered',
        data: { ...idsOf(b.outcome), url: b.outcome.row.sub.url, reason: 'probe_succeeded' },
      });
    }
  }
  for (const d of disabled)
    notices.push({
      type: 'subscription.disabled',
      data: { ...idsOf(d.outcome), url: d.outcome.row.sub.url, reason: d.reason, message: d.message },
    });
  for (const o of recorded) {
    if (o.decision.action !== 'dead') continue;
    notices.push({
      type: 'delivery.dead',
      data: {
        ...idsOf(o),
        deliveryId: o.row.delivery.id,
        eventId: o.row.event.id,
        eventType: o.row.delivery.eventType,
        reason: o.decision.cause,
        message: `${o.decision.reason}${lastErrorOf(o) ? ` (last: ${lastErrorOf(o)})` : ''}`,
        attemptCount: o.job.data.attempt,
      },
    });
  }
  return notices;
}

/** A delivery whose retry window ended behind an open circuit breaker (breaker-expiry.ts expireBehindBreaker). */
export type ExpiredDelivery = {
  id: string;
  eventId: string;
  subscriptionId: string;
  customerId: string;
  eventType: string;
  attemptCount: number;
};

export function expiredNotice(d: ExpiredDelivery, message: string): OperationalNotice {
  return {
    type: 'delivery.dead',
    data: {
      customerId: d.customerId,
      subscriptionId: d.subscriptionId,
      deliveryId: d.id,
      eventId: d.eventId,
      eventType: d.eventType,
      reason: 'window_ended_behind_breaker',
      message,
      attemptCount: d.attemptCount,
    },
  };
}
