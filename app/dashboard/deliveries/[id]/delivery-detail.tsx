'use client';

import Link from 'next/link';
import { isNotFound } from '../../../_components/errors';
import { PageHeader } from '../../../_components/panel';
import { DetailSkeleton, ErrorState, NotFoundState } from '../../../_components/states';
import { DateTime } from '../../../_components/time';
import { DeliveryCard, useDelivery } from '../../_components/delivery-card';

export function DeliveryDetailView({ id }: { id: string }) {
  const { data, error, refetch } = useDelivery(id);
  if (error && isNotFound(error))
    return <NotFoundState what="Delivery" id={id} back={{ href: '/dashboard/events', label: 'All events' }} />;
  if (error) return <ErrorState error={error} title="Could not load this delivery" onRetry={() => void refetch()} />;
  if (!data) return <DetailSkeleton label="Loading delivery" eyebrow="w-16" title="w-72" body="h-80" />;
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
