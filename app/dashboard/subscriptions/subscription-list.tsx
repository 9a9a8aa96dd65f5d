'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Panel } from '../../_components/panel';
import { Pager, useCursorPages } from '../../_components/pagination';
import { Writable } from '../../_components/session';
import { EmptyState, ErrorState, TableSkeleton } from '../../_components/states';
import { SubscriptionStateBadge } from '../../_components/status';
import { RowLink, Table, Td, Th, Tr } from '../../_components/table';
import { RelativeTime } from '../../_components/time';
import { useTRPC } from '../../_components/trpc';
import { NewSubscriptionButton } from './subscription-dialogs';

export function PatternChips({ patterns, max = 3 }: { patterns: string[]; max?: number }) {
  const shown = patterns.slice(0, max);
  return (
    <span className="flex flex-wrap gap-1">
      {shown.map((p) => (
        <code key={p} className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">
          {p}
        </code>
      ))}
      {patterns.length > max && <span className="text-xs text-zinc-500" title={patterns.slice(max).join(', ')}>+{patterns.length - max} more</span>}
    </span>
  );
}

export function SubscriptionList() {
  const trpc = useTRPC();
  const pages = useCursorPages('all');
  const { data, error, refetch } = useQuery({ ...trpc.subscriptions.list.queryOptions({ limit: 50, cursor: pages.cursor }), refetchInterval: 15_000, placeholderData: keepPreviousData });
  return (
    <Panel>
      {error ? (
        <div className="p-4">
          <ErrorState error={error} title="Could not load subscriptions" onRetry={() => void refetch()} />
        </div>
      ) : !data ? (
        <TableSkeleton rows={4} label="Loading subscriptions" />
      ) : data.data.length === 0 ? (
        <EmptyState
          title="No subscriptions yet"
          action={
            <Writable>
              <NewSubscriptionButton />
            </Writable>
          }
        >
          A subscription sends the event types you choose to one of your HTTPS endpoints, signed so you can verify them.
        </EmptyState>
      ) : (
        <>
          <Table label="Subscriptions">
            <thead>
              <tr>
                <Th>Endpoint</Th>
                <Th className="hidden md:table-cell">Event types</Th>
                <Th>Status</Th>
                <Th className="hidden text-right sm:table-cell">Created</Th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((s) => (
                <Tr key={s.id} testId="subscription-row">
                  <Td className="max-w-md">
                    <RowLink href={`/dashboard/subscriptions/${s.id}`} className="block truncate font-mono text-[0.8125rem]">
                      {s.url}
                    </RowLink>
                    <div className="truncate text-xs text-zinc-500 dark:text-zinc-400">{s.description ?? <span className="font-mono">{s.id}</span>}</div>
                  </Td>
                  <Td className="hidden md:table-cell">
                    <PatternChips patterns={s.eventTypes} />
                  </Td>
                  <Td>
                    <SubscriptionStateBadge active={s.active} disabledReason={s.disabledReason} breakerState={s.breaker.state} />
                  </Td>
                  <Td className="hidden text-right whitespace-nowrap text-zinc-500 sm:table-cell dark:text-zinc-400">
                    <RelativeTime at={s.createdAt} />
                  </Td>
                </Tr>
              ))}
            </tbody>
          </Table>
          <Pager page={pages.page} nextCursor={data.nextCursor} onNext={pages.next} onPrev={pages.prev} shown={data.data.length} />
        </>
      )}
    </Panel>
  );
}
