'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Panel } from '../../_components/panel';
import { Pager, useUrlCursorPages } from '../../_components/pagination';
import { Writable } from '../../_components/session';
import { EmptyState, PanelError, TableSkeleton } from '../../_components/states';
import { Table, TBody, Td, Th, THead, Tr } from '../../_components/table';
import { RelativeTime } from '../../_components/time';
import { useTRPC } from '../../_components/trpc';
import {
  byAttention,
  EndpointLink,
  HealthCells,
  HealthRangeToggle,
  useSubscriptionHealth,
  type HealthRange,
} from '../_components/endpoint-health';
import { subscriptionIdPattern, useUrlFilters } from '../_components/url-filters';
import { NewSubscriptionButton } from './subscription-dialogs';

export function PatternChips({ patterns, max = 3 }: { patterns: string[]; max?: number }) {
  const shown = patterns.slice(0, max);
  return (
    <span className="flex flex-wrap gap-1">
      {shown.map((p) => (
        <code
          key={p}
          className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300"
        >
          {p}
        </code>
      ))}
      {patterns.length > max && (
        <span className="text-xs text-zinc-500 dark:text-zinc-400" title={patterns.slice(max).join(', ')}>
          +{patterns.length - max} more
        </span>
      )}
    </span>
  );
}

/**
 * The window of the health columns lives in the URL (?range=day), as on the overview. It changes
 * only the columns, not which subscriptions a page holds, so the page is kept.
 */
function useHealthRange(): [HealthRange, (r: HealthRange) => void] {
  const { filters, set } = useUrlFilters(['range'] as const);
  return [filters.range === 'day' ? 'day' : 'hour', (r) => set({ range: r === 'hour' ? '' : r }, { keepPage: true })];
}

/**
 * Every endpoint with its health over the last hour or day (success rate and p99 as a trend, state,
 * held and dead deliveries), what needs attention first. On a phone each is a card. The page is in
 * the URL (?pages=…), so a refresh, and the back button from a subscription, return to it.
 */
export function SubscriptionList() {
  const trpc = useTRPC();
  const pages = useUrlCursorPages('pages', subscriptionIdPattern);
  const [range, setRange] = useHealthRange();
  const { data, error, refetch } = useQuery({
    ...trpc.subscriptions.list.queryOptions({ limit: 50, cursor: pages.cursor }),
    refetchInterval: 15_000,
    placeholderData: keepPreviousData,
  });
  const health = useSubscriptionHealth(range);
  const byId = new Map((health.data?.subscriptions ?? []).map((h) => [h.subscriptionId, h]));
  return (
    <Panel
      title="Endpoints"
      description={health.data ? 'What needs attention first' : undefined}
      actions={<HealthRangeToggle label="Health window" value={range} onChange={setRange} />}
    >
      {error ? (
        <PanelError error={error} title="Could not load subscriptions" onRetry={() => void refetch()} />
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
            <THead>
              <tr>
                <Th>Endpoint</Th>
                <Th className="hidden lg:table-cell">Event types</Th>
                <Th>Status</Th>
                <Th>Success rate</Th>
                <Th>p99 latency</Th>
                <Th className="hidden text-right 2xl:table-cell">Created</Th>
              </tr>
            </THead>
            <TBody>
              {byAttention(data.data, byId).map((s) => (
                <Tr key={s.id} testId="subscription-row">
                  <Td wide className="max-w-md">
                    <EndpointLink s={s} />
                    <div className="truncate text-xs text-zinc-500 dark:text-zinc-400">
                      {s.description ?? <span className="font-mono">{s.id}</span>}
                    </div>
                  </Td>
                  <Td className="hidden lg:table-cell">
                    <PatternChips patterns={s.eventTypes} />
                  </Td>
                  <HealthCells s={s} h={byId.get(s.id)} range={range} />
                  <Td className="hidden text-right whitespace-nowrap text-zinc-500 2xl:table-cell dark:text-zinc-400">
                    <RelativeTime at={s.createdAt} />
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <Pager pages={pages} result={data} />
        </>
      )}
    </Panel>
  );
}
