'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Select } from '../../_components/form';
import { Panel } from '../../_components/panel';
import { Pager, useCursorPages } from '../../_components/pagination';
import { EmptyState, ErrorState, TableSkeleton } from '../../_components/states';
import { useTRPC } from '../../_components/trpc';
import { DeliveryTable } from '../_components/delivery-table';
import { ReplayButton } from '../_components/replay-button';
import { SubscriptionOptions } from '../_components/subscription-options';
import { useSubscriptionUrls } from '../_components/use-subscription-urls';

const noUrls = new Map<string, string>();

/** The subscription filter of the dead-letter page lives in the URL (?sub=…). */
export function useDeadLetterFilter(): [string, (sub: string) => void] {
  const params = useSearchParams();
  const router = useRouter();
  const path = usePathname();
  const sub = params.get('sub') ?? '';
  // Only a well-formed subscription id filters (the API would refuse anything else with a 400).
  return [/^sub_[0-9A-HJKMNP-TV-Z]{26}$/.test(sub) ? sub : '', (sub) => router.replace(sub ? `${path}?sub=${encodeURIComponent(sub)}` : path, { scroll: false })];
}

export function SubscriptionFilter() {
  const [sub, setSub] = useDeadLetterFilter();
  return (
    <div>
      <label htmlFor="dead-sub" className="sr-only">
        Subscription
      </label>
      <Select id="dead-sub" value={sub} onChange={(e) => setSub(e.target.value)} className="w-auto max-w-72">
        <SubscriptionOptions />
      </Select>
    </div>
  );
}

/** One page of dead letters (the first page is live). */
export function useDeadLetterPage(sub: string, cursor: string | undefined, live: boolean) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.deliveries.list.queryOptions({ status: 'dead', limit: 25, cursor, ...(sub && { subscriptionId: sub }) }),
    refetchInterval: live ? 4000 : false,
    placeholderData: keepPreviousData,
  });
}

export function DeadLetterList() {
  const [sub] = useDeadLetterFilter();
  const pages = useCursorPages(sub);
  const urls = useSubscriptionUrls();
  const { data, error, refetch } = useDeadLetterPage(sub, pages.cursor, pages.page === 1);
  return (
    <Panel>
      {error ? (
        <div className="p-4">
          <ErrorState error={error} title="Could not load dead letters" onRetry={() => void refetch()} />
        </div>
      ) : !data ? (
        <TableSkeleton rows={5} label="Loading dead letters" />
      ) : data.data.length === 0 ? (
        <EmptyState title="No dead letters">
          {sub ? 'Every delivery to this subscription got through, or was replayed.' : 'Every delivery got through, or was replayed. Deliveries land here when all their retries fail.'}
        </EmptyState>
      ) : (
        <>
          <DeliveryTable rows={data.data} label="Dead letters" subscriptions={urls ?? noUrls} timeColumn="completed" action={(d) => <ReplayButton deliveryId={d.id} status={d.status} />} />
          <Pager page={pages.page} nextCursor={data.nextCursor} onNext={pages.next} onPrev={pages.prev} shown={data.data.length} />
        </>
      )}
    </Panel>
  );
}
