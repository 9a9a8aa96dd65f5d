'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { CodeBlock } from '../../../_components/code';
import { CopyButton } from '../../../_components/copy-button';
import { isNotFound } from '../../../_components/errors';
import { PageHeader, Panel } from '../../../_components/panel';
import { EmptyState, ErrorState, NotFoundState, Skeleton } from '../../../_components/states';
import { DateTime, RelativeTime } from '../../../_components/time';
import { useTRPC } from '../../../_components/trpc';
import { DeliveryCard } from '../../_components/delivery-card';
import { ExpungedNote } from '../../_components/inspector';
import { DeliverySummary } from '../event-log';
import { RoutingTrace } from './routing-trace';

export function EventDetailView({ id }: { id: string }) {
  const trpc = useTRPC();
  const { data, error, refetch } = useQuery({
    ...trpc.events.get.queryOptions({ id }),
    refetchInterval: (q) =>
      q.state.error
        ? false
        : !q.state.data?.fannedOut || (q.state.data.deliveryStatus.pending ?? 0) > 0
          ? 2000
          : 15_000,
  });
  if (error && isNotFound(error))
    return <NotFoundState what="Event" id={id} back={{ href: '/dashboard/events', label: 'All events' }} />;
  if (error) return <ErrorState error={error} title="Could not load this event" onRetry={() => void refetch()} />;
  if (!data) return <EventSkeleton />;
  const counts = data.deliveryStatus;
  const payload = JSON.stringify(data.payload, null, 2);
  // The exact bytes every attempt sent: the stored body is JSON.stringify output, so serialising its
  // parsed form again gives the same bytes (numbers come kept exact: app/_components/trpc.tsx). The delivery cards take it from here rather than each
  // downloading it again.
  const body = data.payloadExpungedAt ? '' : JSON.stringify(data.payload);
  return (
    <>
      <PageHeader
        eyebrow={
          <Link href="/dashboard/events" className="hover:text-zinc-900 hover:underline dark:hover:text-white">
            ← Events
          </Link>
        }
        title={<span className="font-mono">{data.type}</span>}
        description={
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <span className="inline-flex items-center gap-1 font-mono text-xs">
              {data.id} <CopyButton text={data.id} label="Copy event id" iconOnly />
            </span>
            <span>
              Created <RelativeTime at={data.createdAt} /> (<DateTime at={data.createdAt} />)
            </span>
            <span title="Replay is possible until then">
              Kept until <DateTime at={data.retentionUntil} />
            </span>
            {data.payloadExpungedAt && (
              <span className="font-medium">
                Payload expunged <DateTime at={data.payloadExpungedAt} />
              </span>
            )}
          </span>
        }
        actions={<DeliverySummary counts={counts} fannedOut={data.fannedOut} />}
      />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem] xl:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="min-w-0 space-y-4">
          <h2 className="text-sm font-semibold">
            Deliveries <span className="font-normal text-zinc-500 dark:text-zinc-400">({data.deliveriesTotal})</span>
          </h2>
          {data.deliveriesTotal > data.deliveries.length && (
            <p className="text-xs text-zinc-500 dark:text-zinc-400" data-testid="deliveries-capped">
              Showing the first {data.deliveries.length} of {data.deliveriesTotal} deliveries.
            </p>
          )}
          {data.deliveries.length === 0 ? (
            <Panel>
              <EmptyState title={data.fannedOut ? 'No subscription matched this event' : 'Routing this event…'}>
                {data.fannedOut
                  ? 'The routing trace shows each subscription and why it did not match.'
                  : 'Deliveries appear here in a moment.'}
              </EmptyState>
            </Panel>
          ) : (
            data.deliveries.map((d) => <DeliveryCard key={d.id} id={d.id} body={body} />)
          )}
        </div>
        <div className="min-w-0 space-y-4">
          <Panel
            title="Channels and tags"
            description="Channels route the event to subscriptions; tags label it for search"
          >
            <dl
              className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-2 p-4 text-sm"
              data-testid="event-channels-tags"
            >
              <dt className="text-zinc-500 dark:text-zinc-400">Channels</dt>
              <dd>
                <LabelLinks
                  names={data.channels}
                  filter="channel"
                  none="None: only subscriptions without channels receive it"
                />
              </dd>
              <dt className="text-zinc-500 dark:text-zinc-400">Tags</dt>
              <dd>
                <LabelLinks names={data.tags} filter="tag" none="None" />
              </dd>
              <dt className="text-zinc-500 dark:text-zinc-400">Ordering key</dt>
              <dd data-testid="event-ordering-key">
                {data.orderingKey ? (
                  <code className="rounded-md bg-zinc-100 px-1.5 py-0.5 text-xs break-all dark:bg-zinc-800">
                    {data.orderingKey}
                  </code>
                ) : (
                  'None: delivered unordered'
                )}
              </dd>
            </dl>
          </Panel>
          {data.payloadExpungedAt ? (
            <Panel title="Payload" bodyClassName="p-3">
              <ExpungedNote at={data.payloadExpungedAt} />
            </Panel>
          ) : (
            <Panel
              title="Payload"
              description="As delivered: id, type, timestamp, data"
              actions={<CopyButton text={payload} label="Copy" />}
              bodyClassName="p-3"
            >
              <CodeBlock label="Event payload" testId="event-payload">
                {payload}
              </CodeBlock>
            </Panel>
          )}
          <Panel title="Routing" description="Which subscriptions received this event, and why">
            <RoutingTrace routing={data.routing} />
          </Panel>
        </div>
      </div>
    </>
  );
}

/** Each name links to the event log filtered by it. */
function LabelLinks({ names, filter, none }: { names: string[]; filter: 'tag' | 'channel'; none: string }) {
  if (names.length === 0) return <span className="text-zinc-500 dark:text-zinc-400">{none}</span>;
  return (
    <span className="flex flex-wrap gap-1.5">
      {names.map((n) => (
        <Link
          key={n}
          href={`/dashboard/events?${new URLSearchParams({ [filter]: n }).toString()}`}
          className="rounded-md bg-zinc-100 px-1.5 py-0.5 font-mono text-xs break-all hover:underline dark:bg-zinc-800"
          title={`Events with ${filter} ${n}`}
        >
          {n}
        </Link>
      ))}
    </span>
  );
}

function EventSkeleton() {
  return (
    <div role="status" aria-label="Loading event">
      <div className="mb-6 space-y-2">
        <Skeleton className="h-3 w-16" />
        <Skeleton className="h-7 w-72" />
        <Skeleton className="h-3 w-96 max-w-full" />
      </div>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem] xl:grid-cols-[minmax(0,1fr)_24rem]">
        <Skeleton className="h-80" />
        <Skeleton className="h-80" />
      </div>
    </div>
  );
}
