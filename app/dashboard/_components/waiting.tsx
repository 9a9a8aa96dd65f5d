'use client';

import { RelativeTime } from '../../_components/time';
import type { Delivery } from './types';

/** server/domain/delivery/waiting.ts `Waiting`, as every read returns it. */
export type Waiting = Delivery['waiting'];

/**
 * What a delivery (or a subscription's deliveries) waits for, in one sentence: the same words on
 * the delivery, event, subscription and overview pages, from the API's one answer.
 */
export function WaitingFor({
  waiting,
  subject = 'delivery',
}: {
  waiting: Waiting;
  subject?: 'delivery' | 'subscription';
}) {
  if (!waiting)
    return <span data-testid="waiting-for">{subject === 'subscription' ? 'Sending normally' : 'Finished'}</span>;
  return (
    <span data-testid="waiting-for" data-kind={waiting.kind}>
      {sentence(waiting, subject)}
    </span>
  );
}

function sentence(w: NonNullable<Waiting>, subject: 'delivery' | 'subscription') {
  switch (w.kind) {
    case 'scheduled':
      return new Date(w.at).getTime() <= Date.now() ? (
        'Next attempt due now'
      ) : (
        <>
          Next attempt <RelativeTime at={w.at} future />
        </>
      );
    case 'sending':
      return 'Sending now';
    case 'window':
      return 'Due: waiting for a free slot (concurrency limit)';
    case 'rate-limit':
      return 'Due: waiting for the rate limit';
    case 'breaker':
      return (
        <>
          Held back by the circuit breaker:{' '}
          {w.at ? (
            <>
              probe <RelativeTime at={w.at} future />
            </>
          ) : (
            'a probe is being sent'
          )}
          {w.deadAt && (
            <>
              ; its retry window ends first (<RelativeTime at={w.deadAt} future />
              ), then it becomes a dead letter
            </>
          )}
        </>
      );
    case 'paused':
      return subject === 'subscription'
        ? 'Paused: deliveries are held until it is resumed'
        : 'Held: the subscription is paused';
    case 'disabled':
      return `${subject === 'subscription' ? 'Disabled: deliveries are held until it is resumed' : 'Held: the subscription is disabled'} (${w.reason})`;
  }
}
