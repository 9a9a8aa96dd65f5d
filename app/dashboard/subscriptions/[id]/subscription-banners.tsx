'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button } from '../../../_components/button';
import { describeError } from '../../../_components/errors';
import { IconAlert, IconPause, IconReplay, IconSpinner } from '../../../_components/icons';
import { useReadOnly } from '../../../_components/session';
import { RelativeTime, TextWithTimes } from '../../../_components/time';
import { useToast } from '../../../_components/toast';
import { useTRPC } from '../../../_components/trpc';
import type { Subscription } from '../../_components/types';

/**
 * What holds this subscription's deliveries back, said where the customer looks first, with the
 * action that fixes it: paused or disabled (held deliveries, resume), or an open circuit breaker
 * (attempts held back until the next probe; "Retry now" sends it at once).
 */
export function SubscriptionBanners({ sub }: { sub: Subscription }) {
  if (!sub.active) {
    const tone = sub.disabledReason ? 'red' : 'amber';
    return (
      <Banner tone={tone} testId="held-banner" icon={<IconPause className="size-4 shrink-0" />}>
        <p>
          {sub.disabledReason ? (
            <>
              Hookrelay disabled this subscription: <TextWithTimes text={sub.disabledReason} />.{' '}
            </>
          ) : (
            <>This subscription is paused. </>
          )}
          <strong data-testid="held-count">{sub.heldDeliveries}</strong>{' '}
          {sub.heldDeliveries === 1 ? 'delivery is' : 'deliveries are'} held: nothing is dropped. Resume it to send them
          in publish order, or to discard them as dead letters.
        </p>
      </Banner>
    );
  }
  if (sub.breaker.state !== 'closed') return <BreakerBanner sub={sub} />;
  return null;
}

function BreakerBanner({ sub }: { sub: Subscription }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const readOnly = useReadOnly();
  const retry = useMutation(
    trpc.subscriptions.retryNow.mutationOptions({
      onSuccess: async () => {
        toast({
          tone: 'success',
          title: 'Probe on its way',
          description: 'One delivery goes out now; if it succeeds, the breaker closes and the rest follow.',
        });
        await qc.invalidateQueries({ queryKey: trpc.subscriptions.pathKey() });
      },
      onError: (err) => toast({ tone: 'error', title: 'Could not retry now', description: describeError(err) }),
    }),
  );
  return (
    <Banner tone="amber" testId="breaker-banner" icon={<IconAlert className="size-4 shrink-0" />}>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="min-w-0 flex-1">
          <strong>Circuit breaker {sub.breaker.state === 'open' ? 'open' : 'probing'}</strong>
          {sub.breaker.openedAt && (
            <>
              {' '}
              since <RelativeTime at={sub.breaker.openedAt} />
            </>
          )}{' '}
          after {sub.breaker.consecutiveFailures} failed attempts in a row. New deliveries wait for the probe (no
          attempt is spent); deliveries already under way keep their retry schedule, one attempt at a time. Each still
          ends when its retry window does.
          {sub.breaker.state === 'open' && sub.breaker.probeAt && (
            <>
              {' '}
              Next probe <RelativeTime at={sub.breaker.probeAt} future />.
            </>
          )}
        </p>
        {!readOnly && sub.breaker.state === 'open' && (
          <Button onClick={() => retry.mutate({ id: sub.id })} disabled={retry.isPending}>
            {retry.isPending ? <IconSpinner className="size-4 animate-spin" /> : <IconReplay className="size-4" />}{' '}
            Retry now
          </Button>
        )}
      </div>
    </Banner>
  );
}

function Banner({
  tone,
  icon,
  testId,
  children,
}: {
  tone: 'red' | 'amber';
  icon: React.ReactNode;
  testId: string;
  children: React.ReactNode;
}) {
  const cls =
    tone === 'red'
      ? 'border-red-200 bg-red-50 text-red-800 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200'
      : 'border-amber-200 bg-amber-50 text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/40 dark:text-amber-100';
  return (
    <div role="note" data-testid={testId} className={`mb-6 flex gap-3 rounded-lg border px-4 py-3 text-sm ${cls}`}>
      <span className="mt-0.5">{icon}</span>
      <div className="min-w-0 flex-1">{children}</div>
    </div>
  );
}
