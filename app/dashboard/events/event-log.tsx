'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Badge, DeliveryCountBadges } from '../../_components/status';
import { Panel } from '../../_components/panel';
import { Pager, useUrlCursorPages } from '../../_components/pagination';
import { EmptyState, PanelError, TableSkeleton } from '../../_components/states';
import { RowLink, Table, TBody, Td, Th, THead, Tr } from '../../_components/table';
import { RelativeTime } from '../../_components/time';
import { useTRPC } from '../../_components/trpc';
import { useEventFilters, useEventQueryInput } from './use-event-filters';

const PAGE = 25;

/** Per-status delivery counts of one event, each with icon and word. */
export function DeliverySummary({ counts, fannedOut }: { counts: Record<string, number>; fannedOut: boolean }) {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  if (entries.length === 0)
    return (
      <span className="text-xs text-zinc-500 dark:text-zinc-400">
        {fannedOut ? 'No matching subscription' : 'Routing…'}
      </span>
    );
  return (
    <span className="flex flex-wrap gap-1">
      <DeliveryCountBadges counts={counts} />
    </span>
  );
}

/** An event's channels (routing) and tags (labels), as small chips; nothing when it has none. */
function Labels({ channels, tags }: { channels: string[]; tags: string[] }) {
  if (channels.length === 0 && tags.length === 0) return null;
  return (
    <div className="mt-1 flex flex-wrap gap-1" data-testid="event-labels">
      {channels.map((c) => (
        <Badge key={`c:${c}`} tone="blue">
          <span className="sr-only">channel </span>#{c}
        </Badge>
      ))}
      {tags.map((t) => (
        <Badge key={`t:${t}`} tone="zinc">
          <span className="sr-only">tag </span>
          {t}
        </Badge>
      ))}
    </div>
  );
}

export function EventLog() {
  const trpc = useTRPC();
  const { filters } = useEventFilters();
  const { input, problem } = useEventQueryInput(filters);
  const pages = useUrlCursorPages();
  const { data, error, refetch, isFetching, isPlaceholderData } = useQuery({
    ...trpc.events.list.queryOptions({ ...input, limit: PAGE, cursor: pages.cursor }),
    enabled: !problem,
    // The first page is live; older pages hold still while you read them.
    refetchInterval: pages.page === 1 ? 5000 : false,
    placeholderData: keepPreviousData,
  });
  const filtered = Object.values(filters).some(Boolean);
  return (
    <Panel>
      {problem ? (
        // The reason is said once, under the search box; here only what to do.
        <EmptyState title="Search not run">Correct the search above, or clear it to see every event.</EmptyState>
      ) : error ? (
        <PanelError error={error} title="Could not load events" onRetry={() => void refetch()} />
      ) : !data ? (
        <TableSkeleton rows={8} label="Loading events" />
      ) : data.data.length === 0 ? (
        filtered ? (
          <EmptyState title="No events match these filters">
            Try a wider time range, another status, or clear the filters.
          </EmptyState>
        ) : (
          <EmptyState title="No events yet">
            Events your platform publishes for this account appear here as they arrive, with every delivery attempt.
          </EmptyState>
        )
      ) : (
        <div className={isPlaceholderData && isFetching ? 'opacity-60 transition-opacity' : ''}>
          <Table label="Events">
            <THead>
              <tr>
                <Th>Event</Th>
                <Th>Deliveries</Th>
                <Th className="text-right">Created</Th>
              </tr>
            </THead>
            <TBody>
              {data.data.map((e) => (
                <Tr key={e.id} testId="event-row">
                  <Td wide>
                    <RowLink href={`/dashboard/events/${e.id}`} className="font-mono text-[0.8125rem] break-all">
                      {e.type}
                    </RowLink>
                    <div className="font-mono text-xs break-all text-zinc-500 dark:text-zinc-400">{e.id}</div>
                    <Labels channels={e.channels} tags={e.tags} />
                  </Td>
                  <Td>
                    <DeliverySummary counts={e.deliveryStatus} fannedOut={e.fannedOut} />
                  </Td>
                  <Td className="text-right whitespace-nowrap text-zinc-500 max-sm:ml-auto dark:text-zinc-400">
                    <RelativeTime at={e.createdAt} />
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <Pager pages={pages} result={data} />
        </div>
      )}
    </Panel>
  );
}
