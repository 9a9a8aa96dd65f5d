'use client';

import Link from 'next/link';
import { isNotFound } from '../../../_components/errors';
import { PageHeader } from '../../../_components/panel';
import { ErrorState, NotFoundState, Skeleton } from '../../../_components/states';
import { DateTime } from '../../../_components/time';
import { DeliveryCard, useDelivery } from '../../_components/delivery-card';

export function DeliveryDetailView({ id }: { id: string }) {
  const { data, error, refetch } = useDelivery(id);
  if (error && isNotFound(error))
    return <NotFoundState what="Delivery" id={id} back={{ href: '/dashboard/events', label: 'All events' }} />;
  if (error) return <ErrorState error={error} title="Could not load this delivery" onRetry={() => void refetch()} />;
  if (!data) {
    return (
      <div role="status" aria-label="Loading delivery" className="space-y-3">
        <Skeleton className="h-3 w-16" />
        <Skeleton className="h-7 w-72" />
        <Skeleton className="mt-6 h-80" />
      </div>
    );
  }
  return (
    <>
      <PageHeader
        eyebrow={
          <Link
            href={`/dashboard/events/${data.eventId}`}
            className="hover:text-zinc-900 hover:underline dark:hover:text-white"
          >
            ← Event {data.eventId}
          </Link>
        }
        title={<span className="font-mono">{data.eventType}</span>}
        description={
          <>
            Delivery to one endpoint, created <DateTime at={data.createdAt} />
          </>
        }
      />
      <DeliveryCard id={id} showEvent />
    </>
  );
}
