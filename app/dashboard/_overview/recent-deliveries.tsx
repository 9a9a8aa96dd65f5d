'use client';

import { useQuery } from '@tanstack/react-query';
import { ButtonLink } from '../../_components/button';
import { Panel } from '../../_components/panel';
import { EmptyState, PanelError, TableSkeleton } from '../../_components/states';
import { useTRPC } from '../../_components/trpc';
import { DeliveryTable } from '../_components/delivery-table';
import { useSubscriptionUrls } from '../_components/use-subscription-urls';

const noUrls = new Map<string, string>();

export function RecentDeliveries() {
  const trpc = useTRPC();
  const { data, error, refetch } = useQuery({
    ...trpc.deliveries.list.queryOptions({ limit: 10 }),
    refetchInterval: 3000,
  });
  const urls = useSubscriptionUrls();
  return (
    <Panel
      title="Recent deliveries"
      description="The last 10, live"
      actions={
        <ButtonLink href="/dashboard/events" size="sm">
          All events
        </ButtonLink>
      }
    >
      {error ? (
        <PanelError error={error} title="Could not load deliveries" onRetry={() => void refetch()} />
      ) : !data ? (
        <TableSkeleton rows={5} label="Loading deliveries" />
      ) : data.data.length === 0 ? (
        <EmptyState title="No deliveries yet">
          Publish an event that matches one of your subscriptions and it shows up here within a second.
        </EmptyState>
      ) : (
        <DeliveryTable rows={data.data} label="Recent deliveries" subscriptions={urls ?? noUrls} />
      )}
    </Panel>
  );
}
