'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { Mono } from '../../_components/code';
import { isNotFound } from '../../_components/errors';
import { ErrorState, Skeleton } from '../../_components/states';
import { DeliveryStatusBadge } from '../../_components/status';
import { useTRPC } from '../../_components/trpc';
import { AttemptTimeline } from './attempt-timeline';
import { Inspector } from './inspector';
import { ReplayButton } from './replay-button';
import type { Delivery } from './types';

/**
 * Live while the delivery still has attempts ahead of it; slow otherwise. `includeBody: false` when
 * the page has the request body already (the event page); `attemptsCursor` pages to older attempts.
 * Options left at their defaults stay out of the input, so the same read is one query (and one request).
 */
export function useDelivery(id: string, opts: { includeBody?: boolean; attemptsCursor?: number | undefined } = {}) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.deliveries.get.queryOptions({
      id,
      ...(opts.includeBody === false && { includeBody: false }),
      ...(opts.attemptsCursor !== undefined && { attemptsCursor: opts.attemptsCursor }),
    }),
    refetchInterval: (q) => (q.state.error ? false : q.state.data?.status === 'pending' ? 1500 : 10_000),
  });
}

/**
 * One delivery of an event to one subscription: status, replay, attempt timeline and inspector.
 * `body`: the event's exact body when the page has it already, so the delivery read leaves it out.
 */
export function DeliveryCard({ id, showEvent = false, body }: { id: string; showEvent?: boolean; body?: string }) {
  const [attemptsCursor, setAttemptsCursor] = useState<number | undefined>(undefined);
  const { data, error, refetch } = useDelivery(id, { includeBody: body === undefined, attemptsCursor });
  return (
    <section
      aria-label={`Delivery ${id}`}
      data-testid="delivery-card"
      className="rounded-xl border border-zinc-200 bg-white shadow-xs dark:border-zinc-800 dark:bg-zinc-900"
    >
      {error ? (
        <div className="p-4">
          <ErrorState
            error={error}
            title={isNotFound(error) ? 'This delivery no longer exists' : 'Could not load this delivery'}
            onRetry={isNotFound(error) ? undefined : () => void refetch()}
          />
        </div>
      ) : !data ? (
        <div className="space-y-3 p-4" role="status" aria-label="Loading delivery">
          <Skeleton className="h-5 w-2/3" />
          <Skeleton className="h-24 w-full" />
        </div>
      ) : (
        <DeliveryBody
          delivery={data}
          body={body ?? data.requestBody ?? ''}
          showEvent={showEvent}
          paged={attemptsCursor !== undefined}
          onPage={setAttemptsCursor}
        />
      )}
    </section>
  );
}

function DeliveryBody({
  delivery,
  body,
  showEvent,
  paged,
  onPage,
}: {
  delivery: Delivery;
  body: string;
  showEvent: boolean;
  paged: boolean;
  onPage: (cursor: number | undefined) => void;
}) {
  const [picked, setPicked] = useState<string | null>(null);
  // Until an attempt is picked, the inspector follows the latest one as new attempts arrive.
  const selected = delivery.attempts.find((a) => a.id === picked) ?? delivery.attempts.at(-1) ?? null;
  return (
    <>
      <header className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-100 px-4 py-3 dark:border-zinc-800">
        <div className="min-w-0">
          <p className="flex flex-wrap items-center gap-2">
            <DeliveryStatusBadge status={delivery.status} />
            <Link
              href={`/dashboard/subscriptions/${delivery.subscriptionId}`}
              className="truncate font-mono text-[0.8125rem] font-medium hover:text-indigo-600 hover:underline dark:hover:text-indigo-400"
            >
              {delivery.subscriptionUrl}
            </Link>
          </p>
          <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
            <Mono className="text-xs">{delivery.id}</Mono> · {delivery.attemptCount} attempt
            {delivery.attemptCount === 1 ? '' : 's'}
            {delivery.replayCount > 0 && ` · replayed ${delivery.replayCount}×`}
            {showEvent && (
              <>
                {' · '}
                <Link
                  href={`/dashboard/events/${delivery.eventId}`}
                  className="text-indigo-600 underline underline-offset-2 hover:no-underline dark:text-indigo-400"
                >
                  event {delivery.eventType}
                </Link>
              </>
            )}
          </p>
        </div>
        <ReplayButton deliveryId={delivery.id} status={delivery.status} />
      </header>
      <div className="grid md:grid-cols-[17rem_minmax(0,1fr)]">
        <div className="border-b border-zinc-100 p-2 md:border-r md:border-b-0 dark:border-zinc-800">
          <AttemptTimeline
            delivery={delivery}
            selectedId={selected?.id ?? null}
            onSelect={(a) => setPicked(a.id)}
            paged={paged}
            onPage={onPage}
          />
        </div>
        <div className="min-w-0">
          {selected ? (
            <Inspector attempt={selected} body={body} expungedAt={delivery.payloadExpungedAt} />
          ) : (
            <p className="p-6 text-sm text-zinc-500 dark:text-zinc-400">
              No attempt yet. The request and response appear here after the first attempt.
            </p>
          )}
        </div>
      </div>
    </>
  );
}
